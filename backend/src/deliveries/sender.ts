import type { DeliveryKind } from "@tracira/shared";
import type { SqlClient } from "../db/sql";
import { Waker } from "../lib/waker";
import type { Logger } from "../logger";
import { nextAttemptAt, type BackoffPolicy } from "./backoff";
import { claimDue, recordAttempt, releaseDeliveries, type AttemptRecord, type ClaimedDelivery } from "./store";
import type { SendOutcome, Transport } from "./transports/types";

export interface SenderOptions {
  concurrency: number;
  pollMs: number;
  /** One attempt's deadline; the claim lease is longer so a slow attempt is never sent twice at once. */
  timeoutMs: number;
  backoff: BackoffPolicy;
}

/**
 * Sends what the outbox holds. Deliveries are claimed with a lease (see `claimDue`), sent by the
 * transport of their kind, and each attempt is recorded with what happens next: done, retried later
 * with back-off, or failed for good. Deliveries written by this process wake it at once; others are
 * found by polling.
 */
export class DeliverySender {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly waker = new Waker();
  private readonly abort = new AbortController();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly sql: SqlClient,
    private readonly transports: Record<DeliveryKind, Transport>,
    private readonly logger: Logger,
    private readonly options: SenderOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  notify(): void {
    this.waker.wake();
  }

  /** Stops claiming, waits `graceMs` for sends in flight, then aborts the rest and hands them back. */
  async stop(graceMs = 2_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.waker.wake();
    await this.loop;
    const settled = Promise.allSettled([...this.inFlight.values()]);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    const unfinished = [...this.inFlight.keys()];
    this.abort.abort();
    await settled;
    await releaseDeliveries(this.sql, unfinished).catch(() => undefined);
  }

  private async run(): Promise<void> {
    // Every attempt ends within its timeout (the body read included), so the lease only needs a margin.
    const leaseMs = this.options.timeoutMs * 2 + 2_000;
    while (this.running) {
      const free = this.options.concurrency - this.inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0) {
        try {
          claimed = await claimDue(this.sql, free, leaseMs);
        } catch (err) {
          this.logger.warn("delivery sender could not claim deliveries; retrying", { error: String(err) });
        }
      }
      if (!claimed.length) {
        await this.waker.idle(this.options.pollMs);
        continue;
      }
      for (const d of claimed) {
        const sending = this.deliver(d).finally(() => {
          this.inFlight.delete(d.id);
          this.waker.wake();
        });
        this.inFlight.set(d.id, sending);
      }
    }
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const started = Date.now();
    let outcome: SendOutcome;
    try {
      outcome = await this.transports[d.kind].send(d, this.abort.signal);
    } catch (err) {
      outcome = { ok: false, responseStatus: null, error: `could not send: ${(err as Error).message}`, retryable: true };
    }
    // Stopped mid-send: the lease is handed back in `stop` and the delivery goes out again from there.
    if (this.abort.signal.aborted) return;
    const record = this.decide(d, outcome, Date.now() - started);
    try {
      await recordAttempt(this.sql, d, record);
    } catch (err) {
      // The lease runs out and the delivery is sent again: at least once, never lost.
      this.logger.error("could not record a delivery attempt; it will be retried", { deliveryId: d.id, error: String(err) });
    }
  }

  private decide(d: ClaimedDelivery, outcome: SendOutcome, durationMs: number): AttemptRecord {
    const base = { responseStatus: outcome.responseStatus, durationMs };
    if (outcome.ok) return { ...base, error: null, status: "succeeded" };
    if (outcome.retryable) {
      const next = nextAttemptAt(this.options.backoff, d.attempt, d.createdAt, new Date(), outcome.retryAfterMs);
      if (next) return { ...base, error: outcome.error, status: "pending", nextAttemptAt: next };
      return { ...base, error: `${outcome.error} — gave up after ${d.attempt} attempts over ${duration(this.options.backoff.windowMs)}`, status: "failed" };
    }
    return { ...base, error: outcome.error, status: "failed", removeHook: outcome.gone === true && d.kind === "hook" };
  }
}

/** "24 h", "90 min", "2 s": how long retries went on, for the attempt log. */
function duration(ms: number): string {
  if (ms >= 3_600_000) return `${Math.round(ms / 360_000) / 10} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
