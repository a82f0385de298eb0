import { LIMITS, type SpanEventType, type SpanInput, type SpanStatus, type TraceInput } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { arrayLiteral } from "../../db/array-literal";
import { ApiError } from "../../lib/api-error";

/** A span ready for its row: status and event type settled, payloads cut to size, its place in the tree. */
export interface PreparedSpan {
  id: string;
  parentSpanId: string | null;
  kind: SpanInput["kind"];
  name: string;
  status: SpanStatus;
  startedAt: Date;
  endedAt: Date | null;
  provider: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedInputTokens: number | null;
  costUsd: number | null;
  input: unknown;
  output: unknown;
  error: unknown;
  attributes: Record<string, unknown> | null;
  dottedOrder: string;
  eventType: SpanEventType;
  decisionKind: string | null;
}

/** A payload as stored: as sent, or past the limit a marker that says it was cut and how large it was. */
export function storedPayload(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json);
  return bytes <= LIMITS.spanPayloadBytes ? value : { truncated: true, original_bytes: bytes, preview: json.slice(0, 2_000) };
}

/** The session event a span is, when the caller did not say: from its kind, its status and its attributes. */
export function eventTypeOf(span: SpanInput): SpanEventType {
  if (span.eventType) return span.eventType;
  if (span.error !== undefined && span.error !== null) return "error";
  if (span.decisionKind) return span.decisionKind === "handoff" ? "handoff" : "decision";
  switch (span.kind) {
    case "llm":
    case "embedding":
      return "llm_call";
    case "tool":
    case "mcp":
    case "webhook":
      return "tool_call";
    case "guardrail":
      return "guardrail_eval";
    case "condition":
      return "decision";
    case "agent":
      return "response";
    default:
      return "state_change";
  }
}

const segment = (span: SpanInput) => `${span.startedAt!.getTime()}-${span.id}`;

/**
 * Settles each span of one request: its status (error when it carries one, running while it has no end),
 * its event type, and its `dotted_order` (LangSmith-style: the ancestors' `<epoch ms>-<id>` joined by dots,
 * so sorting by it lists the tree depth first), from its parent in the same request or already stored.
 */
export function prepareSpans(spans: readonly SpanInput[], storedOrders: ReadonlyMap<string, string> = new Map()): PreparedSpan[] {
  const byId = new Map<string, SpanInput>();
  spans.forEach((span, index) => {
    if (byId.has(span.id))
      throw ApiError.invalid(`spans[${index}].id "${span.id}" appears twice in this request.`, { [`spans.${index}.id`]: "is a duplicate" });
    byId.set(span.id, span);
  });
  const orders = new Map<string, string>();
  const orderOf = (span: SpanInput, seen: Set<string>): string => {
    const known = orders.get(span.id);
    if (known) return known;
    if (span.dottedOrder) return span.dottedOrder;
    const parentId = span.parentSpanId ?? null;
    if (parentId === null) return segment(span);
    if (seen.has(parentId)) throw ApiError.invalid(`span "${span.id}" is its own ancestor.`, { spans: "the parents form a circle" });
    const parent = byId.get(parentId);
    const parentOrder = parent ? orderOf(parent, new Set(seen).add(span.id)) : storedOrders.get(parentId);
    // A parent not seen yet (it may arrive later): the span sorts as a root until then.
    return parentOrder ? `${parentOrder}.${segment(span)}` : segment(span);
  };
  return spans.map((span) => {
    const dottedOrder = orderOf(span, new Set([span.id]));
    orders.set(span.id, dottedOrder);
    const failed = span.error !== undefined && span.error !== null;
    return {
      id: span.id,
      parentSpanId: span.parentSpanId ?? null,
      kind: span.kind,
      name: span.name,
      status: span.status ?? (failed ? "error" : span.endedAt ? "ok" : "running"),
      startedAt: span.startedAt!,
      endedAt: span.endedAt ?? null,
      provider: span.provider ?? null,
      model: span.model ?? null,
      inputTokens: span.inputTokens ?? null,
      outputTokens: span.outputTokens ?? null,
      cachedInputTokens: span.cachedInputTokens ?? null,
      costUsd: span.costUsd ?? null,
      input: storedPayload(span.input),
      output: storedPayload(span.output),
      error: storedPayload(span.error),
      attributes: span.attributes ?? null,
      dottedOrder,
      eventType: eventTypeOf(span),
      decisionKind: span.decisionKind ?? null,
    };
  });
}

const INSERT_SPANS = `
INSERT INTO spans (id, trace_id, workspace_id, parent_span_id, kind, name, status, started_at, ended_at, provider, model,
  input_tokens, output_tokens, cached_input_tokens, cost_usd, input, output, error, attributes, dotted_order, event_type, decision_kind)
SELECT s.id, $1, $2::uuid, s.parent_span_id, s.kind, s.name, s.status, s.started_at, s.ended_at, s.provider, s.model,
  s.input_tokens, s.output_tokens, s.cached_input_tokens, s.cost_usd, s.input, s.output, s.error, s.attributes, s.dotted_order,
  s.event_type, s.decision_kind
FROM jsonb_to_recordset($3::jsonb) AS s(id text, parent_span_id text, kind text, name text, status text, started_at timestamptz,
  ended_at timestamptz, provider text, model text, input_tokens int, output_tokens int, cached_input_tokens int, cost_usd float8,
  input jsonb, output jsonb, error jsonb, attributes jsonb, dotted_order text, event_type text, decision_kind text)
ON CONFLICT (trace_id, id) DO UPDATE SET
  -- The same span sent again (a retry, or closed later): what it adds is kept, nothing it omits is lost.
  ended_at = coalesce(EXCLUDED.ended_at, spans.ended_at),
  status = CASE WHEN EXCLUDED.status = 'running' AND spans.status <> 'running' THEN spans.status ELSE EXCLUDED.status END,
  input = coalesce(EXCLUDED.input, spans.input),
  output = coalesce(EXCLUDED.output, spans.output),
  error = coalesce(EXCLUDED.error, spans.error),
  provider = coalesce(EXCLUDED.provider, spans.provider),
  model = coalesce(EXCLUDED.model, spans.model),
  input_tokens = coalesce(EXCLUDED.input_tokens, spans.input_tokens),
  output_tokens = coalesce(EXCLUDED.output_tokens, spans.output_tokens),
  cached_input_tokens = coalesce(EXCLUDED.cached_input_tokens, spans.cached_input_tokens),
  cost_usd = coalesce(EXCLUDED.cost_usd, spans.cost_usd),
  attributes = coalesce(spans.attributes, '{}'::jsonb) || coalesce(EXCLUDED.attributes, '{}'::jsonb),
  parent_span_id = coalesce(EXCLUDED.parent_span_id, spans.parent_span_id)`;

/**
 * The trace's rollups from its spans, recomputed in the same transaction as the spans' write; the trace's
 * own fields ($2…$6) ride along when given (one row version per write instead of two).
 */
export const REFRESH_ROLLUPS = `
UPDATE logs l SET
  trace_name = coalesce($2, l.trace_name), agent_id = coalesce($3, l.agent_id), runner_id = coalesce($4, l.runner_id),
  thread_id = coalesce($5, l.thread_id), run_id = coalesce($6, l.run_id),
  span_count = s.n, error_count = s.errors, llm_call_count = s.llm, tool_call_count = s.tools,
  total_input_tokens = s.input_tokens, total_output_tokens = s.output_tokens, total_cost_usd = s.cost,
  started_at = s.started, ended_at = CASE WHEN s.open > 0 THEN NULL ELSE s.ended END,
  trace_status = CASE WHEN s.errors > 0 THEN 'error' WHEN s.open > 0 THEN 'running' ELSE 'ok' END
FROM (
  SELECT count(*)::int AS n, (count(*) FILTER (WHERE status = 'error'))::int AS errors,
    (count(*) FILTER (WHERE kind = 'llm'))::int AS llm, (count(*) FILTER (WHERE kind IN ('tool', 'mcp')))::int AS tools,
    coalesce(sum(input_tokens), 0)::int AS input_tokens, coalesce(sum(output_tokens), 0)::int AS output_tokens,
    coalesce(sum(cost_usd), 0)::float8 AS cost, min(started_at) AS started, max(ended_at) AS ended,
    (count(*) FILTER (WHERE ended_at IS NULL))::int AS open
  FROM spans WHERE trace_id = $1
) s
WHERE l.id = $1`;

/**
 * Puts every span of the trace in its place: a span's `dotted_order` is its parent's followed by its own
 * segment, or its own alone while its parent has not arrived; so a parent arriving after its children
 * moves them (and theirs) under it. An order the caller gave is kept and its descendants sort under it.
 */
const ORDER_ROWS = `SELECT id, parent_span_id, started_at, dotted_order FROM spans WHERE trace_id = $1`;
const SET_ORDERS = `
UPDATE spans s SET dotted_order = v.dotted_order
FROM unnest($2::text[], $3::text[]) AS v(id, dotted_order)
WHERE s.trace_id = $1 AND s.id = v.id`;

async function settleOrders(tx: SqlClient, traceId: string): Promise<void> {
  const rows = await tx.query<{ id: string; parent_span_id: string | null; started_at: Date; dotted_order: string }>(ORDER_ROWS, [traceId]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const settled = new Map<string, string>();
  const orderOf = (row: (typeof rows)[number], depth: number): string => {
    const done = settled.get(row.id);
    if (done) return done;
    const own = `${new Date(row.started_at).getTime()}-${row.id}`;
    const computed = row.dotted_order === own || row.dotted_order.endsWith(`.${own}`);
    const parent = row.parent_span_id ? byId.get(row.parent_span_id) : undefined;
    const order = !computed ? row.dotted_order : parent && depth < 1_000 ? `${orderOf(parent, depth + 1)}.${own}` : own;
    settled.set(row.id, order);
    return order;
  };
  const changed = rows.filter((r) => orderOf(r, 0) !== r.dotted_order);
  if (changed.length === 0) return;
  await tx.query(SET_ORDERS, [traceId, arrayLiteral(changed.map((r) => r.id)), arrayLiteral(changed.map((r) => settled.get(r.id)!))]);
}

export interface SpanWriteOptions {
  /** The trace's own fields to set with the rollups. */
  fields?: TraceInput;
  /** The trace was created in this transaction: no stored span can change the orders prepareSpans gave. */
  fresh?: boolean;
}

/** Writes the spans of one trace (a span already stored under its id is completed, never duplicated), then its order and rollups. */
export async function insertSpans(
  tx: SqlClient,
  workspaceId: string,
  traceId: string,
  spans: readonly PreparedSpan[],
  options: SpanWriteOptions = {},
): Promise<void> {
  if (spans.length === 0) return;
  const rows = spans.map((s) => ({
    id: s.id,
    parent_span_id: s.parentSpanId,
    kind: s.kind,
    name: s.name,
    status: s.status,
    started_at: s.startedAt.toISOString(),
    ended_at: s.endedAt?.toISOString() ?? null,
    provider: s.provider,
    model: s.model,
    input_tokens: s.inputTokens,
    output_tokens: s.outputTokens,
    cached_input_tokens: s.cachedInputTokens,
    cost_usd: s.costUsd,
    input: s.input,
    output: s.output,
    error: s.error,
    attributes: s.attributes,
    dotted_order: s.dottedOrder,
    event_type: s.eventType,
    decision_kind: s.decisionKind,
  }));
  await tx.query(INSERT_SPANS, [traceId, workspaceId, JSON.stringify(rows)]);
  if (!options.fresh) await settleOrders(tx, traceId);
  const f = options.fields;
  await tx.query(REFRESH_ROLLUPS, [
    traceId,
    f?.name ?? null,
    f?.agentId ?? null,
    f?.runnerId ?? null,
    f?.threadId ?? null,
    f?.runId ?? null,
  ]);
}
