/**
 * A trace's own figures as SQL over the log row `l`, one definition for every session query. A log sent
 * without spans is a one-step trace: it starts at its timestamp and lasts its latency (0 when not given).
 */

/** When the trace ended: the last span's end (null while a span is open), or the log's timestamp plus its latency. */
export const TRACE_END = `(CASE WHEN l.span_count = 0 THEN l.timestamp + coalesce(l.latency_ms, 0) * interval '1 millisecond' ELSE l.ended_at END)`;

/** The trace's latency in ms: its end minus its start (null while running), or the log's own latency. */
export const TRACE_DURATION_MS = `(CASE WHEN l.span_count = 0 THEN coalesce(l.latency_ms, 0)
  ELSE extract(epoch FROM (l.ended_at - l.started_at)) * 1000 END)::float8`;

/** The trace's cost: its spans' total, or the log's own `costUsd` when it has no spans. */
export const TRACE_COST = `(CASE WHEN l.span_count = 0 THEN coalesce(l.cost_usd, 0) ELSE l.total_cost_usd END)::float8`;

/** A span's latency in ms (null while it is open). */
export const SPAN_DURATION_MS = `(extract(epoch FROM (s.ended_at - s.started_at)) * 1000)::float8`;

/** The logs of one project that belong to a session. */
export const PROJECT_SESSION_LOGS = `l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.session_id IS NOT NULL`;
