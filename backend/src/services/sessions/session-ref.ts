import type { LogStatus, SpanStatus } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../lib/api-error";
import { resolveProject, type ProjectRef } from "../traces/project-ref";
import { TRACE_COST, TRACE_DURATION_MS, TRACE_END } from "../traces/trace-sql";

/** A trace of a session, with its rollups; `turn` is its place in the session (1 = first). */
export interface SessionTraceRow {
  id: string;
  turn: number;
  name: string;
  status: LogStatus;
  trace_status: SpanStatus;
  span_count: number;
  error_count: number;
  llm_call_count: number;
  tool_call_count: number;
  total_input_tokens: number;
  total_output_tokens: number;
  cost_usd: number;
  started_at: Date;
  ended_at: Date | null;
  duration_ms: number | null;
}

export interface SessionRef {
  project: ProjectRef;
  sessionId: string;
  /** In turn order: by start (a trace's first span, or the log's timestamp), then id. */
  traces: SessionTraceRow[];
}

const SESSION_TRACES = `
SELECT l.id, (row_number() OVER (ORDER BY l.started_at, l.id))::int AS turn, coalesce(l.trace_name, l.task_name, $4) AS name,
  l.status, l.trace_status, l.span_count, l.error_count, l.llm_call_count, l.tool_call_count, l.total_input_tokens,
  l.total_output_tokens, ${TRACE_COST} AS cost_usd, l.started_at, ${TRACE_END} AS ended_at, ${TRACE_DURATION_MS} AS duration_ms
FROM logs l
WHERE l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.session_id = $3
ORDER BY l.started_at, l.id`;

/**
 * The session a route names: its project (by id or name) and its traces in turn order, in this workspace
 * only. A session id no trace of the project carries is as unknown as another workspace's (404).
 */
export async function resolveSession(sql: SqlClient, workspaceId: string, projectRef: string, sessionId: string): Promise<SessionRef> {
  const project = await resolveProject(sql, workspaceId, projectRef);
  const traces = await sql.query<SessionTraceRow>(SESSION_TRACES, [workspaceId, project.id, sessionId, project.name]);
  if (traces.length === 0) throw ApiError.notFound("Session");
  return { project, sessionId, traces };
}

export const traceIdsOf = (session: SessionRef) => session.traces.map((t) => t.id);
