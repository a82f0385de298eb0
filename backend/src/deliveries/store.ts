import type { DeliveryKind, DeliveryStatus, EventType } from "@tracira/shared";
import type { SqlClient } from "../db/sql";
import type { QueueDepth } from "../metrics";
import type { StoredPayload } from "./event-log";

/** A delivery a sender holds: its lease ends at `leaseUntil`, after which another sender may take it. */
export interface ClaimedDelivery {
  id: string;
  workspaceId: string;
  logId: string | null;
  hookId: string | null;
  kind: DeliveryKind;
  event: EventType;
  target: string;
  payload: StoredPayload;
  /** This attempt's number (1 for the first). */
  attempt: number;
  createdAt: Date;
}

/**
 * Claims due deliveries nobody holds. SKIP LOCKED lets senders on every instance claim at once; the
 * lease (longer than one attempt can take) keeps others off while this one sends, and runs out if the
 * sender dies, so the delivery is tried again: nothing is lost, and receivers de-duplicate on the id.
 */
const CLAIM = `
WITH picked AS (
  SELECT id FROM deliveries
  WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
  ORDER BY next_attempt_at
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
UPDATE deliveries d SET lease_until = now() + $2 * interval '1 millisecond', attempt_count = d.attempt_count + 1
FROM picked WHERE d.id = picked.id
RETURNING d.id, d.workspace_id AS "workspaceId", d.log_id AS "logId", d.hook_subscription_id AS "hookId", d.kind, d.event,
  d.target, d.payload, d.attempt_count AS attempt, d.created_at AS "createdAt"`;

export async function claimDue(sql: SqlClient, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const rows = await sql.query<ClaimedDelivery>(CLAIM, [limit, leaseMs], "tracira_claim_deliveries");
  // Whatever the driver hands back (pg and PGlite differ on jsonb and timestamps), the same types come out.
  return rows.map((r) => ({
    ...r,
    payload: typeof r.payload === "string" ? (JSON.parse(r.payload) as StoredPayload) : r.payload,
    createdAt: new Date(r.createdAt),
  }));
}

/** How many deliveries wait, and how late the most overdue one is (a retry waiting out its back-off is not late). */
export async function dueDepth(sql: SqlClient): Promise<QueueDepth> {
  const rows = await sql.query<QueueDepth>(
    `SELECT count(*)::int AS pending,
       COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0)::float8 AS "oldestAgeSeconds"
     FROM deliveries WHERE status = 'pending'`,
  );
  return rows[0] ?? { pending: 0, oldestAgeSeconds: 0 };
}

/** What one attempt came to, and what happens next. */
export interface AttemptRecord {
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
  /** `pending` with `nextAttemptAt` to retry; `succeeded`, `failed` end it. */
  status: Extract<DeliveryStatus, "pending" | "succeeded" | "failed">;
  nextAttemptAt?: Date;
  /** 410 Gone from a hook subscription's receiver: the subscription is removed. */
  removeHook?: boolean;
}

/**
 * Records the attempt and the delivery's new state together. The `attempt_count` check fences off a
 * sender whose lease ran out and whose delivery was claimed again: its late result changes nothing.
 */
export async function recordAttempt(sql: SqlClient, d: ClaimedDelivery, r: AttemptRecord): Promise<void> {
  await sql.transaction(async (tx) => {
    const updated = await tx.query(
      `UPDATE deliveries SET status = $3::delivery_status, lease_until = NULL, last_error = $4,
         next_attempt_at = COALESCE($5::timestamptz, next_attempt_at),
         delivered_at = CASE WHEN $3 = 'succeeded' THEN now() ELSE delivered_at END
       WHERE id = $1 AND attempt_count = $2 AND status = 'pending' RETURNING id`,
      [d.id, d.attempt, r.status, r.error, r.nextAttemptAt?.toISOString() ?? null],
      "tracira_delivery_result",
    );
    if (!updated.length) return;
    await tx.query(
      `INSERT INTO delivery_attempts (id, workspace_id, delivery_id, attempt_number, response_status, error, duration_ms)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)`,
      [d.workspaceId, d.id, d.attempt, r.responseStatus, r.error, r.durationMs],
      "tracira_delivery_attempt",
    );
    if (r.removeHook && d.hookId) {
      await tx.query(
        `UPDATE deliveries SET status = 'cancelled', lease_until = NULL,
           last_error = 'the hook subscription was removed: its receiver answered 410 Gone'
         WHERE hook_subscription_id = $1 AND status = 'pending' AND id <> $2`,
        [d.hookId, d.id],
      );
      await tx.query(`DELETE FROM hook_subscriptions WHERE id = $1 AND workspace_id = $2`, [d.hookId, d.workspaceId]);
    }
  });
}

/** Gives leases back (graceful stop) so another sender retries at once. */
export async function releaseDeliveries(sql: SqlClient, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await sql.query(
    `UPDATE deliveries SET lease_until = NULL, attempt_count = attempt_count - 1 WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
    [`{${ids.join(",")}}`],
  );
}

/** Clears every delivery lease: only for the embedded database, which one process owns (see clearStaleLeases). */
export async function clearStaleDeliveryLeases(sql: SqlClient): Promise<void> {
  await sql.query(`UPDATE deliveries SET lease_until = NULL WHERE status = 'pending' AND lease_until IS NOT NULL`);
}
