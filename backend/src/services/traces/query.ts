import type {
  ListTracesQuery,
  SpanEventType,
  SpanKind,
  SpanStatus,
  TraceDetail,
  TraceEvaluation,
  TraceList,
  TraceListItem,
  TraceSpan,
} from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { escapeLike } from "../../db/like";
import { ApiError } from "../../lib/api-error";
import { isoOrNull as iso } from "../../lib/values";

export interface TraceRow {
  id: string;
  name: string;
  trace_status: SpanStatus;
  span_count: number;
  started_at: Date | null;
  ended_at: Date | null;
  timestamp: Date;
  latency_ms: number | null;
  total_input_tokens: number;
  total_output_tokens: number;
  total_cost_usd: number;
  tags: string[];
  metadata: Record<string, unknown> | null;
}

/** A span as its row reads. */
export interface SpanRow {
  id: string;
  trace_id: string;
  parent_span_id: string | null;
  kind: SpanKind;
  name: string;
  status: SpanStatus;
  started_at: Date;
  ended_at: Date | null;
  provider: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cost_usd: number | null;
  input: unknown;
  output: unknown;
  error: unknown;
  attributes: Record<string, unknown> | null;
  dotted_order: string;
  event_type: SpanEventType;
  decision_kind: string | null;
}

type EvaluationRow = Omit<TraceEvaluation, "created_at" | "metadata"> & { created_at: Date; metadata: Record<string, unknown> | null };

const ms = (from: Date | string | null, to: Date | string | null) =>
  from && to ? new Date(to).getTime() - new Date(from).getTime() : null;

interface TraceListRow extends TraceRow {
  workspace_id: string;
  agent_id: string | null;
  runner_id: string | null;
  thread_id: string | null;
  run_id: string | null;
  session_id: string | null;
  actor_id: string | null;
  error_count: number;
  llm_call_count: number;
  tool_call_count: number;
  sort_at: Date;
}

/** When a trace started, for sorting and cursors: its first span, or (no spans) the log's timestamp (set on insert). */
const SORT_AT = `l.started_at`;

/** Traces as the trace API shows them: headers (a log's own fields and its rollups), spans in tree order, evaluations. */
export class TraceQueryService {
  constructor(private readonly sql: SqlClient) {}

  /**
   * Newest first, `limit` at a time; `nextCursor` resumes after the last one (by start time, then id), so a
   * walk visits each trace once even while new ones arrive (they start after the walk's first page).
   */
  async list(workspaceId: string, q: ListTracesQuery): Promise<TraceList> {
    const where = ["l.workspace_id = $1::uuid"];
    const params: unknown[] = [workspaceId];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (q.agent_id !== undefined) add((n) => `l.agent_id = ${n}`, q.agent_id);
    if (q.runner_id !== undefined) add((n) => `l.runner_id = ${n}`, q.runner_id);
    if (q.thread_id !== undefined) add((n) => `l.thread_id = ${n}`, q.thread_id);
    if (q.run_id !== undefined) add((n) => `l.run_id = ${n}`, q.run_id);
    if (q.status !== undefined) add((n) => `l.trace_status = ${n}`, q.status);
    if (q.q?.trim()) add((n) => `coalesce(l.trace_name, l.task_name, p.name) ILIKE ${n}`, `%${escapeLike(q.q.trim())}%`);
    if (q.cursor) {
      params.push(q.cursor.startedAt.toISOString(), q.cursor.traceId);
      where.push(`(${SORT_AT}, l.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(q.limit + 1);
    const rows = await this.sql.query<TraceListRow>(
      `SELECT l.id, l.workspace_id, l.agent_id, l.runner_id, l.thread_id, l.run_id, l.session_id, l.actor_id,
         coalesce(l.trace_name, l.task_name, p.name) AS name, l.trace_status, l.span_count, l.error_count, l.llm_call_count,
         l.tool_call_count, l.started_at, l.ended_at, l.timestamp, l.latency_ms, l.total_input_tokens, l.total_output_tokens,
         l.total_cost_usd, l.tags, l.metadata, ${SORT_AT} AS sort_at
       FROM logs l JOIN projects p ON p.id = l.project_id
       WHERE ${where.join(" AND ")}
       ORDER BY ${SORT_AT} DESC, l.id DESC
       LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      traces: page.map(toListItem),
      nextCursor: rows.length > q.limit && last ? `${new Date(last.sort_at).toISOString()}|${last.id}` : null,
    };
  }

  async get(workspaceId: string, traceId: string): Promise<TraceDetail> {
    const [trace] = await this.sql.query<TraceRow>(
      `SELECT l.id, coalesce(l.trace_name, l.task_name, p.name) AS name, l.trace_status, l.span_count, l.started_at, l.ended_at,
         l.timestamp, l.latency_ms, l.total_input_tokens, l.total_output_tokens, l.total_cost_usd, l.tags, l.metadata
       FROM logs l JOIN projects p ON p.id = l.project_id WHERE l.id = $1 AND l.workspace_id = $2::uuid`,
      [traceId, workspaceId],
    );
    if (!trace) throw ApiError.notFound("Trace");
    const [spans, evaluations, linked] = await Promise.all([
      this.sql.query<SpanRow>(`SELECT * FROM spans WHERE trace_id = $1 ORDER BY dotted_order, id`, [traceId]),
      this.sql.query<EvaluationRow>(
        `SELECT id, span_id, trace_id, evaluator, evaluator_version, name, score, label, reason, metadata, created_at
         FROM evaluations WHERE trace_id = $1 ORDER BY created_at, position, id`,
        [traceId],
      ),
      this.sql.query<LinkedLogRow>(
        `SELECT l.id, l.linked_span_id, l.status, l.confidence_score, l.explanation, l.task_name, p.name AS project,
           coalesce(l.evaluated_at, l.created_at) AS at
         FROM logs l JOIN projects p ON p.id = l.project_id
         WHERE l.workspace_id = $2::uuid AND l.linked_trace_id = $1
         ORDER BY l.created_at, l.id LIMIT ${LINKED_LOGS_SHOWN}`,
        [traceId, workspaceId],
      ),
    ]);
    return {
      trace: header(trace),
      spans: spans.map(toSpan),
      evaluations: [...evaluations.map(toEvaluation), ...linked.map((row) => linkedVerdict(traceId, row))],
    };
  }
}

/** How many logs posted from inside one trace (by traceparent) its detail shows as evaluations. */
const LINKED_LOGS_SHOWN = 200;

interface LinkedLogRow {
  id: string;
  linked_span_id: string | null;
  status: string;
  confidence_score: number | null;
  explanation: string | null;
  task_name: string | null;
  project: string;
  at: Date;
}

/**
 * A log posted from inside this trace (its `traceparent` names the trace and the span that posted it) shows
 * as an evaluation on that span: its verdict as the label, `metadata.logId` to open it.
 */
function linkedVerdict(traceId: string, row: LinkedLogRow): TraceEvaluation {
  return {
    id: `log:${row.id}`,
    span_id: row.linked_span_id,
    trace_id: traceId,
    evaluator: "tracira",
    evaluator_version: null,
    name: "verdict",
    score: row.confidence_score,
    label: row.status,
    reason: row.explanation,
    metadata: { logId: row.id, project: row.project, task: row.task_name },
    created_at: iso(row.at)!,
  };
}

/** A log without spans is a one-step trace: it starts at its timestamp and lasts its latency. */
export function header(t: TraceRow): TraceDetail["trace"] {
  const oneStep = t.span_count === 0;
  const started = oneStep ? t.timestamp : (t.started_at ?? t.timestamp);
  const ended = oneStep ? new Date(new Date(t.timestamp).getTime() + Math.round(t.latency_ms ?? 0)) : t.ended_at;
  return {
    id: t.id,
    name: t.name,
    status: t.trace_status,
    started_at: iso(started)!,
    ended_at: iso(ended),
    duration_ms: ms(started, ended),
    total_input_tokens: t.total_input_tokens,
    total_output_tokens: t.total_output_tokens,
    total_cost_usd: t.total_cost_usd,
    tags: t.tags ?? [],
    metadata: t.metadata ?? {},
  };
}

function toListItem(t: TraceListRow): TraceListItem {
  const { metadata: _metadata, ...h } = header(t);
  return {
    ...h,
    org_id: t.workspace_id,
    agent_id: t.agent_id,
    runner_id: t.runner_id,
    thread_id: t.thread_id,
    run_id: t.run_id,
    session_id: t.session_id,
    user_id: t.actor_id,
    span_count: t.span_count,
    error_count: t.error_count,
    llm_call_count: t.llm_call_count,
    tool_call_count: t.tool_call_count,
  };
}

function toSpan(s: SpanRow): TraceSpan {
  return {
    id: s.id,
    trace_id: s.trace_id,
    parent_span_id: s.parent_span_id,
    kind: s.kind,
    name: s.name,
    status: s.status,
    started_at: iso(s.started_at)!,
    ended_at: iso(s.ended_at),
    duration_ms: ms(s.started_at, s.ended_at),
    provider: s.provider,
    model: s.model,
    input_tokens: s.input_tokens,
    output_tokens: s.output_tokens,
    cached_input_tokens: s.cached_input_tokens,
    cost_usd: s.cost_usd,
    input: s.input ?? null,
    output: s.output ?? null,
    error: s.error ?? null,
    attributes: s.attributes ?? {},
    dotted_order: s.dotted_order,
    event_type: s.event_type,
    decision_kind: s.decision_kind,
  };
}

function toEvaluation(e: EvaluationRow): TraceEvaluation {
  return { ...e, metadata: e.metadata ?? {}, created_at: iso(e.created_at)! };
}
