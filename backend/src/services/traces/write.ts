import type { TraceInput } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { insertSpans, type PreparedSpan } from "./spans";

/** What a log brings for its trace: its spans (settled), the trace's own fields, and the trace it was posted from. */
export interface TraceWrite {
  spans: PreparedSpan[];
  fields: TraceInput | undefined;
  link?: { traceId: string; spanId: string } | undefined;
}

/** Inside the just-created log's own transaction: its spans and rollups with the trace's fields, or the fields alone. */
export async function writeTrace(tx: SqlClient, workspaceId: string, traceId: string, trace: TraceWrite): Promise<void> {
  const f = trace.fields;
  if (trace.link) {
    await tx.query(`UPDATE logs SET linked_trace_id = $2, linked_span_id = $3 WHERE id = $1`, [
      traceId,
      trace.link.traceId,
      trace.link.spanId,
    ]);
  }
  if (trace.spans.length) {
    await insertSpans(tx, workspaceId, traceId, trace.spans, { fields: f, fresh: true });
    return;
  }
  if (f && (f.name || f.agentId || f.runnerId || f.threadId || f.runId)) {
    await tx.query(`UPDATE logs SET trace_name = $2, agent_id = $3, runner_id = $4, thread_id = $5, run_id = $6 WHERE id = $1`, [
      traceId,
      f.name ?? null,
      f.agentId ?? null,
      f.runnerId ?? null,
      f.threadId ?? null,
      f.runId ?? null,
    ]);
  }
}
