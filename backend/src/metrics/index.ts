import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** How far behind a queue is, read from the database when metrics are scraped. */
export interface QueueDepth {
  /** Items waiting (pending, claimed or not). */
  pending: number;
  /** Seconds the oldest waiting item has been due; 0 when none is. */
  oldestAgeSeconds: number;
}

/** Scrapes read each queue's depth at most this often, however many metrics ask for it. */
const DEPTH_CACHE_MS = 100;

/**
 * One process's metrics in the Prometheus format (`GET /metrics`): the claim loops' queues and the
 * HTTP requests, plus Node's process metrics. One registry per runtime, so servers started side by side
 * (tests) count apart.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly processed: Counter<"queue">;
  readonly failures: Counter<"queue">;
  readonly inFlight: Gauge<"queue">;
  readonly duration: Histogram<"queue">;
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly httpDuration: Histogram<"method" | "route">;
  private readonly depthSources = new Map<string, () => Promise<QueueDepth>>();
  private depthRead: { at: number; depths: Promise<Map<string, QueueDepth>> } | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.processed = new Counter({
      name: "tracira_queue_processed_total",
      help: "Items a claim loop finished (logs evaluated, delivery attempts made).",
      labelNames: ["queue"],
      registers,
    });
    this.failures = new Counter({
      name: "tracira_queue_failures_total",
      help: "Items that failed: a batch that threw, or a delivery attempt that did not succeed.",
      labelNames: ["queue"],
      registers,
    });
    this.inFlight = new Gauge({
      name: "tracira_queue_in_flight",
      help: "Items this process is working on now.",
      labelNames: ["queue"],
      registers,
    });
    this.duration = new Histogram({
      name: "tracira_queue_batch_duration_seconds",
      help: "How long one claimed batch took to work.",
      labelNames: ["queue"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const depths = () => this.depths();
    new Gauge({
      name: "tracira_queue_depth",
      help: "Items waiting in the queue (all instances: read from the database).",
      labelNames: ["queue"],
      registers,
      async collect() {
        for (const [queue, depth] of await depths()) this.set({ queue }, depth.pending);
      },
    });
    new Gauge({
      name: "tracira_queue_oldest_age_seconds",
      help: "Lag: seconds the oldest waiting item has been due.",
      labelNames: ["queue"],
      registers,
      async collect() {
        for (const [queue, depth] of await depths()) this.set({ queue }, depth.oldestAgeSeconds);
      },
    });
    this.httpRequests = new Counter({
      name: "tracira_http_requests_total",
      help: "HTTP requests answered, by route and status.",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "tracira_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its answer.",
      labelNames: ["method", "route"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
      registers,
    });
  }

  /** Reports a queue's depth on every scrape. */
  watchQueue(queue: string, depth: () => Promise<QueueDepth>): void {
    this.depthSources.set(queue, depth);
  }

  /** The exposition text. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private depths(): Promise<Map<string, QueueDepth>> {
    const now = Date.now();
    if (!this.depthRead || now - this.depthRead.at > DEPTH_CACHE_MS) {
      const reads = [...this.depthSources].map(async ([queue, read]) => [queue, await read().catch(() => undefined)] as const);
      const depths = Promise.all(reads).then(
        (pairs) => new Map(pairs.filter((p): p is readonly [string, QueueDepth] => p[1] !== undefined)),
      );
      this.depthRead = { at: now, depths };
    }
    return this.depthRead.depths;
  }
}
