import { useEffect, type KeyboardEvent } from "react";
import { formatDuration } from "../format";
import { TRACE_RENDERED_MARK, type TraceTreeState } from "../hooks/useTraceTree";
import { useVirtualRows } from "../hooks/useVirtualRows";
import { rowDomId, SpanWaterfallRow } from "./SpanWaterfallRow";

const ROW_HEIGHT = 30;

/**
 * The spans as a tree beside their waterfall. Rows are virtualised (one height, only those in view are
 * in the page), so a trace of thousands of spans scrolls as one of ten does. Keys: ↑/↓ move, ←/→ collapse
 * and expand (or go to the parent), Home/End.
 */
export function SpanTree({ state }: { state: TraceTreeState }) {
  const { tree, rows, collapsed, selected, selectionSeq, select, setExpanded } = state;
  const { viewportRef, start, end, totalHeight, scrollToRow } = useVirtualRows<HTMLDivElement>(rows.length, ROW_HEIGHT);
  const selectedRow = selected ? rows.indexOf(selected) : -1;

  // On each selection only: collapsing another branch later does not pull the view back to it.
  useEffect(() => {
    if (selectedRow >= 0) scrollToRow(selectedRow);
  }, [selectionSeq, scrollToRow]);
  useEffect(() => {
    performance.mark(TRACE_RENDERED_MARK, { detail: { spans: tree.nodes.length } });
  }, [tree]);

  const onKeyDown = (event: KeyboardEvent) => {
    const current = selectedRow >= 0 ? rows[selectedRow]! : null;
    const moveTo = (index: number) => {
      const node = rows[Math.max(0, Math.min(rows.length - 1, index))];
      if (node) select(node);
    };
    const expanded = current !== null && current.childCount > 0 && !collapsed.has(current.span.id);
    if (event.key === "ArrowDown") moveTo(selectedRow + 1);
    else if (event.key === "ArrowUp") moveTo(selectedRow < 0 ? 0 : selectedRow - 1);
    else if (event.key === "Home") moveTo(0);
    else if (event.key === "End") moveTo(rows.length - 1);
    else if (event.key === "ArrowRight" && current && current.childCount > 0) {
      if (expanded) moveTo(selectedRow + 1);
      else setExpanded(current, true);
    } else if (event.key === "ArrowLeft" && current) {
      if (expanded) setExpanded(current, false);
      else if (current.parent) select(current.parent);
    } else return;
    event.preventDefault();
  };

  return (
    <div className="trace-tree">
      <div className="trace-tree-head" aria-hidden="true">
        <span>Step</span>
        <span className="trace-scale">
          <span>0</span>
          <span>{formatDuration(tree.durationMs)}</span>
        </span>
        <span className="trace-row-duration">Duration</span>
      </div>
      <div
        ref={viewportRef}
        className="trace-viewport"
        role="tree"
        aria-label="Steps of the trace"
        tabIndex={0}
        aria-activedescendant={selected && selectedRow >= start && selectedRow < end ? rowDomId(selected.span.id) : undefined}
        onKeyDown={onKeyDown}
        data-testid="span-tree"
      >
        <div className="trace-rows" style={{ height: totalHeight }}>
          {rows.slice(start, end).map((node, i) => (
            <SpanWaterfallRow
              key={node.span.id}
              node={node}
              top={(start + i) * ROW_HEIGHT}
              height={ROW_HEIGHT}
              expanded={!collapsed.has(node.span.id)}
              selected={node === selected}
              onSelect={select}
              onToggle={setExpanded}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
