import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { buildTraceTree, visibleNodes, type SpanNode } from "../trace-tree";
import { trpc, type TraceDetail } from "../trpc";

/** User Timing marks (devtools' Performance panel; the browser test measures between them). */
export const TRACE_DATA_MARK = "tracira:trace-data";
export const TRACE_RENDERED_MARK = "tracira:trace-rendered";

/** A log's trace (trace id = log id): its spans in tree order and its evaluations. */
export function useTraceDetail(traceId: string) {
  return useQuery({
    queryKey: ["traces.get", { traceId }],
    queryFn: async () => {
      const detail = await trpc.traces.get.query({ traceId });
      performance.mark(TRACE_DATA_MARK, { detail: { traceId, spans: detail.spans.length } });
      return detail;
    },
  });
}

/** The span tree of a trace with what the viewer changes: which nodes are collapsed, which span is selected. */
export function useTraceTree(detail: TraceDetail, initialSpanId: string | null = null) {
  const tree = useMemo(() => buildTraceTree(detail), [detail]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  // `seq` counts selections, so selecting the same span again still scrolls it into view.
  const [selection, setSelection] = useState<{ id: string; seq: number } | null>(() =>
    initialSpanId === null ? null : { id: initialSpanId, seq: 1 },
  );
  const rows = useMemo(() => visibleNodes(tree.nodes, collapsed), [tree, collapsed]);

  const setExpanded = useCallback((node: SpanNode, expanded: boolean) => {
    setCollapsed((prev) => {
      if (prev.has(node.span.id) !== expanded) return prev;
      const next = new Set(prev);
      if (expanded) next.delete(node.span.id);
      else next.add(node.span.id);
      return next;
    });
  }, []);
  const expandAll = useCallback(() => setCollapsed(new Set()), []);
  const collapseAll = useCallback(
    () => setCollapsed(new Set(tree.nodes.filter((node) => node.childCount > 0).map((node) => node.span.id))),
    [tree],
  );

  /** Selects a span, expanding its ancestors so that its row is shown. */
  const select = useCallback((node: SpanNode) => {
    setCollapsed((prev) => {
      const hidden: string[] = [];
      for (let up = node.parent; up; up = up.parent) if (prev.has(up.span.id)) hidden.push(up.span.id);
      if (!hidden.length) return prev;
      const next = new Set(prev);
      for (const id of hidden) next.delete(id);
      return next;
    });
    setSelection((prev) => ({ id: node.span.id, seq: (prev?.seq ?? 0) + 1 }));
  }, []);

  const selected = selection === null ? null : (tree.byId.get(selection.id) ?? null);
  return { tree, rows, collapsed, selected, selectionSeq: selection?.seq ?? 0, select, setExpanded, expandAll, collapseAll };
}

export type TraceTreeState = ReturnType<typeof useTraceTree>;
