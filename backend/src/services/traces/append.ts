import type { SpanInput } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../lib/api-error";
import { insertSpans, prepareSpans } from "./spans";

/**
 * `POST /api/logs/:id/spans`: an agent streaming its steps into an existing trace. Idempotent by span id (a
 * span sent twice is one span; sent open and again with its end, it is closed); children may come before
 * their parents. One transaction, the log's row locked, so concurrent appends to one trace queue up and
 * its rollups stay exact.
 */
export class SpanAppendService {
  constructor(private readonly sql: SqlClient) {}

  /** @param then runs in the same transaction once the spans are stored (a run's final step ends it there). */
  async append(
    workspaceId: string,
    traceId: string,
    spans: readonly SpanInput[],
    then?: (tx: SqlClient) => Promise<void>,
  ): Promise<{ ok: true; traceId: string; spanCount: number }> {
    const prepared = prepareSpans(spans);
    return this.sql.transaction(async (tx) => {
      const [log] = await tx.query<{ id: string }>(`SELECT id FROM logs WHERE id = $1 AND workspace_id = $2::uuid FOR UPDATE`, [
        traceId,
        workspaceId,
      ]);
      if (!log) throw ApiError.notFound("Log");
      await insertSpans(tx, workspaceId, traceId, prepared);
      if (then) await then(tx);
      const [counts] = await tx.query<{ span_count: number }>(`SELECT span_count FROM logs WHERE id = $1`, [traceId]);
      return { ok: true as const, traceId, spanCount: counts?.span_count ?? 0 };
    });
  }
}
