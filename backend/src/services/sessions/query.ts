import type { ListSessionsQuery, SessionChildren, SessionList, SessionListItem, SessionTraces, SessionTracesQuery } from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import { binder } from "../../db/bind";
import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../lib/api-error";
import { isoOrNull as iso } from "../../lib/values";
import { resolveProject } from "../traces/project-ref";
import { eventsQuery, SPAN_LINKS, SpanTree, toEvent, type EventRow, type SpanLink } from "./events";
import type { SessionMetricsService } from "./metrics";
import { resolveSession, traceIdsOf } from "./session-ref";
import { LAST_ACTIVITY, sessionFilter } from "./session-filter";
import { TRACE_COST, TRACE_DURATION_MS, TRACE_END } from "../traces/trace-sql";

interface SessionListRow {
  session_id: string;
  trace_count: number;
  first_started_at: Date;
  last_ended_at: Date | null;
  last_activity_at: Date;
  total_latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  span_count: number;
  error_count: number;
  llm_call_count: number;
  tool_call_count: number;
  flagged_count: number;
  running_count: number;
}

/** The session API's reads: the session list with rollups, a session's traces with their events, a span's descendants. */
export class SessionQueryService {
  constructor(
    private readonly sql: SqlClient,
    private readonly metrics: SessionMetricsService,
  ) {}

  /** Latest activity first, `limit` at a time; `nextCursor` (`<lastActivityAt>|<sessionId>`) resumes after the last one. */
  async list(workspaceId: string, projectRef: string, q: ListSessionsQuery): Promise<SessionList> {
    const project = await resolveProject(this.sql, workspaceId, projectRef);
    const params: unknown[] = [workspaceId, project.id];
    const bind = binder(params);
    const { where, having } = sessionFilter(q, params);
    if (q.cursor) {
      having.push(
        `(${LAST_ACTIVITY}, l.session_id) < (${bind(q.cursor.lastActivityAt.toISOString())}::timestamptz, ${bind(q.cursor.sessionId)})`,
      );
    }
    const rows = await this.sql.query<SessionListRow>(
      `SELECT l.session_id, count(*)::int AS trace_count, min(l.started_at) AS first_started_at, max(${TRACE_END}) AS last_ended_at,
         ${LAST_ACTIVITY} AS last_activity_at, coalesce(sum(${TRACE_DURATION_MS}), 0)::float8 AS total_latency_ms,
         sum(l.total_input_tokens)::float8 AS input_tokens, sum(l.total_output_tokens)::float8 AS output_tokens,
         sum(${TRACE_COST})::float8 AS cost_usd, sum(l.span_count)::int AS span_count, sum(l.error_count)::int AS error_count,
         sum(l.llm_call_count)::int AS llm_call_count, sum(l.tool_call_count)::int AS tool_call_count,
         (count(*) FILTER (WHERE l.status = 'flagged'))::int AS flagged_count,
         (count(*) FILTER (WHERE l.trace_status = 'running'))::int AS running_count
       FROM logs l
       WHERE ${where.join(" AND ")}
       GROUP BY l.session_id
       ${having.length ? `HAVING ${having.join(" AND ")}` : ""}
       ORDER BY last_activity_at DESC, l.session_id DESC
       LIMIT ${bind(q.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      sessions: page.map(toListItem),
      nextCursor: rows.length > q.limit && last ? `${iso(last.last_activity_at)}|${last.session_id}` : null,
    };
  }

  /** The session's traces in turn order, each with its events in tree order (narrowed by event type and decision kind). */
  async traces(workspaceId: string, projectRef: string, sessionId: string, q: SessionTracesQuery): Promise<SessionTraces> {
    const session = await resolveSession(this.sql, workspaceId, projectRef, sessionId);
    const ids = traceIdsOf(session);
    const events = eventsQuery(workspaceId, ids, session.project.name, { eventTypes: q.eventType, decisionKinds: q.decisionKind });
    const [rows, links, metrics] = await Promise.all([
      this.sql.query<EventRow>(events.text, events.params),
      this.sql.query<SpanLink>(SPAN_LINKS, [workspaceId, arrayLiteral(ids)]),
      q.include?.includes("metrics") ? this.metrics.of(workspaceId, session) : undefined,
    ]);
    const tree = new SpanTree(links);
    const byTurn = new Map<number, EventRow[]>();
    for (const row of rows) {
      const list = byTurn.get(row.pos) ?? [];
      list.push(row);
      byTurn.set(row.pos, list);
    }
    return {
      projectId: session.project.id,
      sessionId,
      traces: session.traces.map((t) => ({
        traceId: t.id,
        turn: t.turn,
        name: t.name,
        status: t.status,
        executionStatus: t.trace_status,
        startedAt: iso(t.started_at)!,
        endedAt: iso(t.ended_at),
        durationMs: t.duration_ms,
        spanCount: t.span_count,
        errorCount: t.error_count,
        llmCallCount: t.llm_call_count,
        toolCallCount: t.tool_call_count,
        inputTokens: t.total_input_tokens,
        outputTokens: t.total_output_tokens,
        costUsd: t.cost_usd,
        events: (byTurn.get(t.turn) ?? []).map((r) => toEvent(r, t.turn, tree.depth(r.trace_id, r.id))),
      })),
      ...(metrics ? { metrics } : {}),
    };
  }

  /**
   * Every event under a span (children, theirs, …) in tree order. A span id used in several of the session's
   * traces needs `traceId` to say which one.
   */
  async children(
    workspaceId: string,
    projectRef: string,
    sessionId: string,
    spanId: string,
    traceId: string | undefined,
  ): Promise<SessionChildren> {
    const session = await resolveSession(this.sql, workspaceId, projectRef, sessionId);
    const candidates = traceId === undefined ? session.traces : session.traces.filter((t) => t.id === traceId);
    if (candidates.length === 0) throw ApiError.notFound("Trace");
    const links = await this.sql.query<SpanLink>(SPAN_LINKS, [workspaceId, arrayLiteral(candidates.map((t) => t.id))]);
    const tree = new SpanTree(links);
    // A log without spans is one event whose id is the log id.
    const holders = candidates.filter((t) => tree.has(t.id, spanId) || (t.span_count === 0 && t.id === spanId));
    if (holders.length === 0) throw ApiError.notFound("Span");
    if (holders.length > 1) {
      const ids = holders.map((t) => t.id).join(", ");
      throw ApiError.invalid(`Span "${spanId}" is in more than one trace of this session (${ids}): pass traceId to say which.`, {
        traceId: `required: one of ${ids}`,
      });
    }
    const trace = holders[0]!;
    const below = tree.descendants(trace.id, spanId);
    const events = eventsQuery(workspaceId, [trace.id], session.project.name, { spanIds: below });
    const rows = below.length ? await this.sql.query<EventRow>(events.text, events.params) : [];
    return {
      sessionId,
      traceId: trace.id,
      spanId,
      depth: tree.depth(trace.id, spanId),
      events: rows.map((r) => toEvent(r, trace.turn, tree.depth(r.trace_id, r.id))),
    };
  }
}

function toListItem(r: SessionListRow): SessionListItem {
  return {
    sessionId: r.session_id,
    traceCount: r.trace_count,
    firstStartedAt: iso(r.first_started_at)!,
    lastEndedAt: iso(r.last_ended_at),
    lastActivityAt: iso(r.last_activity_at)!,
    totalLatencyMs: r.total_latency_ms,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd,
    spanCount: r.span_count,
    errorCount: r.error_count,
    llmCallCount: r.llm_call_count,
    toolCallCount: r.tool_call_count,
    flaggedCount: r.flagged_count,
    runningCount: r.running_count,
  };
}
