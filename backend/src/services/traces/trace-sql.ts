/**
 * A trace's own figures as SQL over the log row `l`, one definition for the search, its filters and the
 * session queries. A log sent without spans is a one-step trace: it starts at its timestamp and lasts its
 * latency in whole ms (0 when not given), as the trace API's header says.
 */

const ONE_STEP_MS = `round(coalesce(l.latency_ms, 0)::numeric)`;

/** When the trace ended: the last span's end (null while a span is open), or the log's timestamp plus its latency. */
export const TRACE_END = `(CASE WHEN l.span_count = 0 THEN l.timestamp + ${ONE_STEP_MS} * interval '1 millisecond' ELSE l.ended_at END)`;

/** The trace's latency in ms: its end minus its start (null while running), or the log's own latency. */
export const TRACE_DURATION_MS = `(CASE WHEN l.span_count = 0 THEN ${ONE_STEP_MS}
  ELSE extract(epoch FROM (l.ended_at - l.started_at)) * 1000 END)::float8`;

/** The trace's cost: its spans' total, or the log's own `costUsd` when it has no spans. */
export const TRACE_COST = `(CASE WHEN l.span_count = 0 THEN coalesce(l.cost_usd, 0) ELSE l.total_cost_usd END)::float8`;

/** A span's latency in ms (null while it is open). */
export const SPAN_DURATION_MS = `(extract(epoch FROM (s.ended_at - s.started_at)) * 1000)::float8`;
