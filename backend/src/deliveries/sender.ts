import type { DeliveryKind } from "@tracira/shared";
import type { SqlClient } from "../db/sql";
import { ClaimLoop } from "../lib/claim-loop";
import type { Logger } from "../logger";
import { Metrics } from "../metrics";
import { nextAttemptAt, type BackoffPolicy } from "./backoff";
import { claimDue, dueDepth, recordAttempt, releaseDeliveries, type AttemptRecord, type ClaimedDelivery } from "./store";
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
  private readonly loop: ClaimLoop<ClaimedDelivery>;

  constructor(
    private readonly sql: SqlClient,
    private readonly transports: Record<DeliveryKind, Transport>,
    private readonly logger: Logger,
    private readonly options: SenderOptions,
    metrics = new Metrics(),
  ) {
    // Every attempt ends within its timeout (the body read included), so the lease only needs a margin.
    const leaseMs = options.timeoutMs * 2 + 2_000;
    metrics.watchQueue("deliveries", () => dueDepth(sql));
    this.loop = new ClaimLoop<ClaimedDelivery>(
      {
        claim: (limit) => claimDue(sql, limit, leaseMs),
        work: async ([d], signal) => ({ failed: (await this.deliver(d!, signal)) ? 0 : 1 }),
        release: (deliveries) => releaseDeliveries(sql, deliveries.map((d) => d.id)),
      },
      { queue: "deliveries", unit: "item", concurrency: options.concurrency, batchSize: options.concurrency, pollMs: options.pollMs },
      logger,
      metrics,
    );
  }

  start(): void {
    this.loop.start();
  }

  notify(): void {
    this.loop.notify();
  }

  /** Stops claiming, waits `graceMs` for sends in flight, then aborts the rest and hands them back. */
  stop(graceMs = 2_000): Promise<void> {
    return this.loop.stop(graceMs);
  }

  /** Sends one delivery and records the attempt; true when the receiver accepted it. */
  private async deliver(d: ClaimedDelivery, signal: AbortSignal): Promise<boolean> {
    const started = Date.now();
    let outcome: SendOutcome;
    try {
      outcome = await this.transports[d.kind].send(d, signal);
    } catch (err) {
      outcome = { ok: false, responseStatus: null, error: `could not send: ${(err as Error).message}`, retryable: true };
    }
    // Stopped mid-send: the lease is handed back by the loop's stop and the delivery goes out again from there.
    if (signal.aborted) return outcome.ok;
    const record = this.decide(d, outcome, Date.now() - started);
    try {
      await recordAttempt(this.sql, d, record);
    } catch (err) {
      // The lease runs out and the delivery is sent again: at least once, never lost.
      this.logger.error("could not record a delivery attempt; it will be retried", { deliveryId: d.id, error: String(err) });
    }
    return outcome.ok;
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
