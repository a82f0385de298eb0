import type { TraceDetail, TraceEvaluation, TraceSpan } from "./trpc";

/** The labels that mark a step as flagged: a span rule's `fail` or `error`, or a caller's own `flagged`. */
const FLAGGING_LABELS = new Set(["fail", "flagged", "error"]);

export const isFlagging = (evaluation: TraceEvaluation) => evaluation.label !== null && FLAGGING_LABELS.has(evaluation.label.toLowerCase());

export interface SpanNode {
  span: TraceSpan;
  /** Position in `nodes` (depth-first, siblings in the server's tree order). */
  index: number;
  depth: number;
  parent: SpanNode | null;
  childCount: number;
  /** Where the span's bar starts and how wide it is, as fractions of the trace's time. */
  offset: number;
  width: number;
  evaluations: TraceEvaluation[];
  /** One of the span's own evaluations flags it. */
  flagged: boolean;
  /** A step below it is flagged. */
  flaggedWithin: boolean;
}

export interface TraceTree {
  nodes: SpanNode[];
  byId: Map<string, SpanNode>;
  /** The evaluations of the whole trace (no span). */
  traceEvaluations: TraceEvaluation[];
  /** The first flagged step in tree order. */
  firstFlagged: SpanNode | null;
  startMs: number;
  durationMs: number;
}

const time = (iso: string | null) => (iso ? new Date(iso).getTime() : Number.NaN);

/**
 * The spans as a tree, depth first. A span whose parent is not in the trace (not sent, or not yet) is a
 * root; spans whose parents form a cycle are shown from the first of them met, so every span appears once.
 */
export function buildTraceTree(detail: TraceDetail): TraceTree {
  const { spans, evaluations, trace } = detail;
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string | null, TraceSpan[]>();
  for (const span of spans) {
    const parentId = span.parent_span_id !== null && ids.has(span.parent_span_id) ? span.parent_span_id : null;
    const siblings = children.get(parentId);
    if (siblings) siblings.push(span);
    else children.set(parentId, [span]);
  }
  const evaluationsBySpan = new Map<string, TraceEvaluation[]>();
  const traceEvaluations: TraceEvaluation[] = [];
  for (const evaluation of evaluations) {
    if (evaluation.span_id === null || !ids.has(evaluation.span_id)) traceEvaluations.push(evaluation);
    else evaluationsBySpan.set(evaluation.span_id, [...(evaluationsBySpan.get(evaluation.span_id) ?? []), evaluation]);
  }

  let startMs = time(trace.started_at);
  let endMs = time(trace.ended_at);
  for (const span of spans) {
    const started = time(span.started_at);
    const ended = time(span.ended_at);
    if (!(started >= startMs)) startMs = started;
    if (!Number.isNaN(ended) && !(ended <= endMs)) endMs = ended;
  }
  const durationMs = Math.max(endMs - startMs, 0) || 0;

  const nodes: SpanNode[] = [];
  const byId = new Map<string, SpanNode>();
  const visit = (root: TraceSpan, parent: SpanNode | null) => {
    const stack: [TraceSpan, SpanNode | null][] = [[root, parent]];
    while (stack.length) {
      const [span, up] = stack.pop()!;
      if (byId.has(span.id)) continue;
      const started = time(span.started_at);
      // A running span lasts until the trace's end so far.
      const ended = span.ended_at ? time(span.ended_at) : startMs + durationMs;
      const own = evaluationsBySpan.get(span.id) ?? [];
      const node: SpanNode = {
        span,
        index: nodes.length,
        depth: up ? up.depth + 1 : 0,
        parent: up,
        childCount: 0,
        offset: durationMs ? (started - startMs) / durationMs : 0,
        width: durationMs ? Math.max(ended - started, 0) / durationMs : 1,
        evaluations: own,
        flagged: own.some(isFlagging),
        flaggedWithin: false,
      };
      nodes.push(node);
      byId.set(span.id, node);
      const kids = (children.get(span.id) ?? []).filter((kid) => !byId.has(kid.id));
      node.childCount = kids.length;
      for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k]!, node]);
    }
  };
  for (const root of children.get(null) ?? []) visit(root, null);
  for (const span of spans) if (!byId.has(span.id)) visit(span, null);

  let firstFlagged: SpanNode | null = null;
  for (const node of nodes) {
    if (!node.flagged) continue;
    firstFlagged ??= node;
    for (let up = node.parent; up && !up.flaggedWithin; up = up.parent) up.flaggedWithin = true;
  }
  return { nodes, byId, traceEvaluations, firstFlagged, startMs, durationMs };
}

/** The rows shown: every node but those below a collapsed one. */
export function visibleNodes(nodes: readonly SpanNode[], collapsed: ReadonlySet<string>): SpanNode[] {
  if (collapsed.size === 0) return nodes as SpanNode[];
  const rows: SpanNode[] = [];
  let hiddenBelow = Number.POSITIVE_INFINITY;
  for (const node of nodes) {
    if (node.depth > hiddenBelow) continue;
    hiddenBelow = collapsed.has(node.span.id) ? node.depth : Number.POSITIVE_INFINITY;
    rows.push(node);
  }
  return rows;
}
