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
export class DeliverySender extends ClaimLoop<ClaimedDelivery> {
  constructor(
    sql: SqlClient,
    transports: Record<DeliveryKind, Transport>,
    logger: Logger,
    options: SenderOptions,
    metrics = new Metrics(),
  ) {
    // Every attempt ends within its timeout (the body read included), so the lease only needs a margin.
    const leaseMs = options.timeoutMs * 2 + 2_000;
    metrics.watchQueue("deliveries", () => dueDepth(sql));
    super(
      {
        claim: (limit) => claimDue(sql, limit, leaseMs),
        work: async ([d], signal) => ({ failed: (await deliver(sql, transports[d!.kind], logger, options.backoff, d!, signal)) ? 0 : 1 }),
        // Stopped mid-send: the delivery goes out again from whichever sender claims it next.
        release: (deliveries) =>
          releaseDeliveries(
            sql,
            deliveries.map((d) => d.id),
          ),
      },
      { queue: "deliveries", unit: "item", concurrency: options.concurrency, batchSize: options.concurrency, pollMs: options.pollMs },
      logger,
      metrics,
    );
  }
}

/** Sends one delivery and records the attempt; true when the receiver accepted it. */
async function deliver(
  sql: SqlClient,
  transport: Transport,
  logger: Logger,
  backoff: BackoffPolicy,
  d: ClaimedDelivery,
  signal: AbortSignal,
): Promise<boolean> {
  const started = Date.now();
  let outcome: SendOutcome;
  try {
    outcome = await transport.send(d, signal);
  } catch (err) {
    outcome = { ok: false, responseStatus: null, error: `could not send: ${(err as Error).message}`, retryable: true };
  }
  // Stopped mid-send: the claim loop hands the lease back.
  if (signal.aborted) return outcome.ok;
  try {
    await recordAttempt(sql, d, decide(backoff, d, outcome, Date.now() - started));
  } catch (err) {
    // The lease runs out and the delivery is sent again: at least once, never lost.
    logger.error("could not record a delivery attempt; it will be retried", { deliveryId: d.id, error: String(err) });
  }
  return outcome.ok;
}

function decide(backoff: BackoffPolicy, d: ClaimedDelivery, outcome: SendOutcome, durationMs: number): AttemptRecord {
  const base = { responseStatus: outcome.responseStatus, durationMs };
  if (outcome.ok) return { ...base, error: null, status: "succeeded" };
  if (outcome.retryable) {
    const next = nextAttemptAt(backoff, d.attempt, d.createdAt, new Date(), outcome.retryAfterMs);
    if (next) return { ...base, error: outcome.error, status: "pending", nextAttemptAt: next };
    return {
      ...base,
      error: `${outcome.error} — gave up after ${d.attempt} attempts over ${duration(backoff.windowMs)}`,
      status: "failed",
    };
  }
  return { ...base, error: outcome.error, status: "failed", removeHook: outcome.gone === true && d.kind === "hook" };
}

/** "24 h", "90 min", "2 s": how long retries went on, for the attempt log. */
function duration(ms: number): string {
  if (ms >= 3_600_000) return `${Math.round(ms / 360_000) / 10} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
