import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { Waker } from "./waker";

/** What a claim loop works on: a queue in the database whose items are claimed with a lease. */
export interface ClaimJob<T> {
  /** Claims up to `limit` items nobody holds (with a lease, so a dead process's items come back). */
  claim(limit: number): Promise<T[]>;
  /**
   * Works one claimed batch; resolves with how many of its items failed (0 when omitted). When it
   * throws, every item counts as failed and the batch is released. Stops early when `signal` aborts.
   */
  work(batch: T[], signal: AbortSignal): Promise<{ failed: number } | void>;
  /** Hands leases back: items whose work threw, or was cut short by a stop, are taken again at once. */
  release(batch: T[]): Promise<void>;
}

export interface ClaimLoopOptions {
  /** The metrics label: "evaluation", "deliveries"… */
  queue: string;
  /** Most items worked on at once by this process. */
  concurrency: number;
  /** Most items claimed in one statement. */
  batchSize: number;
  /** `batch`: one claim is worked as one batch; `item`: each claimed item on its own, freeing its slot when done. */
  unit: "batch" | "item";
  /** How often an idle loop looks for items written by other instances. */
  pollMs: number;
}

/**
 * The loop under every background worker: claim what is due, work it with bounded concurrency, sleep
 * until woken (`notify`) or the next poll, and stop with a grace period (then abort and hand the rest
 * back). Its counts (processed, failed, in flight, batch durations) are recorded here, once for all.
 */
export class ClaimLoop<T> {
  private running = false;
  private inFlight = 0;
  private loop: Promise<void> | undefined;
  private readonly waker = new Waker();
  private readonly abort = new AbortController();
  private readonly working = new Map<Promise<void>, T[]>();
  private mayClaim: (() => Promise<boolean>) | undefined;

  constructor(
    private readonly job: ClaimJob<T>,
    private readonly options: ClaimLoopOptions,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Started and not stopped. */
  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Claims nothing while `mayClaim` answers false (the embedded database's disk is full, say); polls on. */
  claimOnlyWhen(mayClaim: () => Promise<boolean>): void {
    this.mayClaim = mayClaim;
  }

  /** New items exist: look now instead of at the next poll. */
  notify(): void {
    this.waker.wake();
  }

  /** Stops claiming, lets work in flight finish for up to `graceMs`, then aborts it and releases what was unfinished. */
  async stop(graceMs = 2_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.waker.wake();
    await this.loop;
    const settled = Promise.allSettled([...this.working.keys()]);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    const unfinished = [...this.working.values()].flat();
    this.abort.abort();
    await settled;
    if (unfinished.length) await this.job.release(unfinished).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { concurrency, batchSize, pollMs, queue } = this.options;
    while (this.running) {
      const free = concurrency - this.inFlight;
      let claimed: T[] = [];
      if (free > 0) {
        try {
          if (!this.mayClaim || (await this.mayClaim())) claimed = await this.job.claim(Math.min(free, batchSize));
        } catch (err) {
          this.logger.warn(`${queue}: could not claim work; retrying`, { error: String(err) });
        }
      }
      if (!claimed.length) {
        if (this.running) await this.waker.idle(pollMs);
        continue;
      }
      if (this.options.unit === "item") for (const item of claimed) this.dispatch([item]);
      else this.dispatch(claimed);
    }
  }

  private dispatch(batch: T[]): void {
    const labels = { queue: this.options.queue };
    this.inFlight += batch.length;
    this.metrics.inFlight.inc(labels, batch.length);
    const endTimer = this.metrics.duration.startTimer(labels);
    const working: Promise<void> = this.job
      .work(batch, this.abort.signal)
      .then(
        (outcome) => {
          const failed = outcome?.failed ?? 0;
          this.metrics.processed.inc(labels, batch.length);
          if (failed) this.metrics.failures.inc(labels, failed);
        },
        async (err: unknown) => {
          // Nothing is lost: the items are still pending. Hand them back so a retry need not wait for the lease.
          if (!this.abort.signal.aborted) {
            this.metrics.failures.inc(labels, batch.length);
            this.logger.error(`${this.options.queue}: a batch failed; its items stay pending and will be retried`, { error: String(err) });
          }
          await this.job.release(batch).catch(() => undefined);
        },
      )
      .finally(() => {
        endTimer();
        this.inFlight -= batch.length;
        this.metrics.inFlight.dec(labels, batch.length);
        this.working.delete(working);
        this.waker.wake();
      });
    this.working.set(working, batch);
  }
}
