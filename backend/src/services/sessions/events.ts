import type { SessionEvent } from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import { binder } from "../../db/bind";
import { isoOrNull as iso } from "../../lib/values";
import type { SpanRow } from "../traces/query";
import { SPAN_DURATION_MS, TRACE_DURATION_MS, TRACE_END } from "../traces/trace-sql";

/** One event as the session queries read it: a span, or the `response` a log without spans stands for. */
export interface EventRow extends Omit<SpanRow, "dotted_order"> {
  /** The trace's place in the list of trace ids the query was given (1-based). */
  pos: number;
  sort_key: string;
  duration_ms: number | null;
  synthesized: boolean;
}

export interface EventFilter {
  eventTypes?: readonly string[];
  decisionKinds?: readonly string[];
  /** Only these span ids (of any of the traces). */
  spanIds?: readonly string[];
  /** Resume after this event (keyset on the query's order). */
  after?: { pos: number; sortKey: string; id: string };
  limit?: number;
}

/**
 * The events of the given traces, in the order given and each trace's in tree order (`dotted_order`): its
 * spans, or for a log without spans one synthesized `response` event (id = the log id, output = the log's
 * output, its latency and cost). `$1` is the workspace (every row is checked against it), `$3` the project's
 * name (a one-step trace's name when it has neither a trace name nor a task).
 */
export function eventsQuery(workspaceId: string, traceIds: readonly string[], projectName: string, filter: EventFilter = {}) {
  const params: unknown[] = [workspaceId, arrayLiteral(traceIds), projectName];
  const bind = binder(params);
  const where: string[] = [];
  if (filter.eventTypes?.length) where.push(`e.event_type = ANY(${bind(arrayLiteral(filter.eventTypes))}::text[])`);
  if (filter.decisionKinds?.length) where.push(`e.decision_kind = ANY(${bind(arrayLiteral(filter.decisionKinds))}::text[])`);
  if (filter.spanIds) where.push(`e.id = ANY(${bind(arrayLiteral(filter.spanIds))}::text[])`);
  if (filter.after) {
    const { pos, sortKey, id } = filter.after;
    where.push(`(e.pos, e.sort_key, e.id) > (${bind(pos)}::int, ${bind(sortKey)}::text, ${bind(id)}::text)`);
  }
  const limit = filter.limit === undefined ? "" : `LIMIT ${bind(filter.limit)}`;
  const text = `
SELECT e.* FROM (
  SELECT t.pos::int AS pos, s.dotted_order AS sort_key, s.id, s.trace_id, s.parent_span_id, s.kind, s.name, s.status,
    s.started_at, s.ended_at, ${SPAN_DURATION_MS} AS duration_ms, s.provider, s.model, s.input_tokens, s.output_tokens,
    s.cached_input_tokens, s.cost_usd, s.input, s.output, s.error, s.attributes, s.event_type, s.decision_kind, false AS synthesized
  FROM unnest($2::text[]) WITH ORDINALITY AS t(id, pos) JOIN spans s ON s.trace_id = t.id AND s.workspace_id = $1::uuid
  UNION ALL
  SELECT t.pos::int, '', l.id, l.id, NULL, 'agent', coalesce(l.trace_name, l.task_name, $3), l.trace_status,
    l.timestamp, ${TRACE_END}, ${TRACE_DURATION_MS}, NULL, l.model, NULL, NULL,
    NULL, l.cost_usd, l.input, to_jsonb(l.output), NULL, NULL, 'response', NULL, true
  FROM unnest($2::text[]) WITH ORDINALITY AS t(id, pos) JOIN logs l ON l.id = t.id AND l.workspace_id = $1::uuid AND l.span_count = 0
) e
${where.length ? `WHERE ${where.join(" AND ")}` : ""}
ORDER BY e.pos, e.sort_key, e.id
${limit}`;
  return { text, params };
}

/** The parent links of the spans of some traces: enough to place each span in its tree. */
export const SPAN_LINKS = `SELECT trace_id, id, parent_span_id FROM spans WHERE workspace_id = $1::uuid AND trace_id = ANY($2::text[])`;

export interface SpanLink {
  trace_id: string;
  id: string;
  parent_span_id: string | null;
}

const key = (traceId: string, spanId: string) => `${traceId}\u0000${spanId}`;

/**
 * Each span's depth in its trace: 0 for a root (no parent, or a parent that has not arrived), else its
 * parent's plus one. A circle of parents (possible across appends) stops where it closes.
 */
export class SpanTree {
  private readonly parents = new Map<string, string | null>();
  private readonly children = new Map<string, string[]>();
  private readonly depths = new Map<string, number>();

  constructor(links: readonly SpanLink[]) {
    for (const l of links) this.parents.set(key(l.trace_id, l.id), l.parent_span_id);
    for (const l of links) {
      if (l.parent_span_id === null || !this.parents.has(key(l.trace_id, l.parent_span_id))) continue;
      const siblings = this.children.get(key(l.trace_id, l.parent_span_id)) ?? [];
      siblings.push(l.id);
      this.children.set(key(l.trace_id, l.parent_span_id), siblings);
    }
  }

  has(traceId: string, spanId: string): boolean {
    return this.parents.has(key(traceId, spanId));
  }

  depth(traceId: string, spanId: string): number {
    const known = this.depths.get(key(traceId, spanId));
    if (known !== undefined) return known;
    const chain: string[] = [];
    const seen = new Set<string>();
    let at: string | null = spanId;
    let base = 0;
    while (at !== null && this.parents.has(key(traceId, at)) && !seen.has(at)) {
      const cached = this.depths.get(key(traceId, at));
      if (cached !== undefined) {
        base = cached + 1;
        break;
      }
      seen.add(at);
      chain.push(at);
      at = this.parents.get(key(traceId, at)) ?? null;
    }
    // chain[0] is the span, chain.at(-1) the farthest ancestor reached.
    chain.reverse().forEach((id, i) => this.depths.set(key(traceId, id), base + i));
    return this.depths.get(key(traceId, spanId)) ?? 0;
  }

  /** Every span under `spanId` in its trace (children, theirs, …), in no particular order. */
  descendants(traceId: string, spanId: string): string[] {
    const found = new Set<string>();
    const queue = [spanId];
    while (queue.length) {
      for (const child of this.children.get(key(traceId, queue.pop()!)) ?? []) {
        if (child === spanId || found.has(child)) continue;
        found.add(child);
        queue.push(child);
      }
    }
    return [...found];
  }
}

/** An event in the session API's shape; `turn` is its trace's place in the session. */
export function toEvent(r: EventRow, turn: number, depth: number): SessionEvent {
  return {
    id: r.id,
    traceId: r.trace_id,
    turn,
    parentSpanId: r.parent_span_id,
    depth,
    eventType: r.event_type,
    decisionKind: r.decision_kind,
    kind: r.kind,
    name: r.name,
    status: r.status,
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    durationMs: r.duration_ms,
    provider: r.provider,
    model: r.model,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedInputTokens: r.cached_input_tokens,
    costUsd: r.cost_usd,
    input: r.input ?? null,
    output: r.output ?? null,
    error: r.error ?? null,
    attributes: r.attributes ?? {},
    synthesized: r.synthesized,
  };
}
