import { memo } from "react";
import { formatDuration } from "../format";
import type { SpanNode } from "../trace-tree";
import { SpanKindBadge } from "./SpanKindBadge";

/** Indentation per level, up to a depth past which deeper steps line up (a runaway chain stays readable). */
const INDENT_PX = 16;
const MAX_INDENT_DEPTH = 24;
/** The thinnest bar drawn, as a percentage of the timeline: instant steps stay visible. */
const MIN_BAR_PERCENT = 0.4;

export const rowDomId = (spanId: string) => `trace-span-${spanId}`;

const percent = (fraction: number) => `${(fraction * 100).toFixed(3)}%`;

function rowClass(node: SpanNode, selected: boolean): string {
  const classes = ["trace-row"];
  if (selected) classes.push("trace-row-selected");
  if (node.flagged) classes.push("trace-row-flagged");
  else if (node.flaggedWithin) classes.push("trace-row-flagged-within");
  if (node.span.status === "error") classes.push("trace-row-error");
  return classes.join(" ");
}

/** What the row says beside its name, for screen readers too. */
function marks(node: SpanNode): string {
  const said: string[] = [node.span.kind];
  if (node.span.status === "error") said.push("error");
  if (node.span.status === "running") said.push("running");
  if (node.flagged) said.push("flagged");
  else if (node.flaggedWithin) said.push("a step inside is flagged");
  return said.join(", ");
}

/** One span of the tree: its name indented by depth, and its bar on the trace's timeline. Scrolling re-renders only new rows. */
export const SpanWaterfallRow = memo(function SpanWaterfallRow(props: {
  node: SpanNode;
  top: number;
  height: number;
  expanded: boolean;
  selected: boolean;
  onSelect: (node: SpanNode) => void;
  onToggle: (node: SpanNode, expanded: boolean) => void;
}) {
  const { node, expanded, selected } = props;
  const { span } = node;
  const hasChildren = node.childCount > 0;
  return (
    <div
      id={rowDomId(span.id)}
      className={rowClass(node, selected)}
      style={{ top: props.top, height: props.height }}
      role="treeitem"
      aria-level={node.depth + 1}
      aria-selected={selected}
      aria-expanded={hasChildren ? expanded : undefined}
      aria-label={`${span.name} (${marks(node)})`}
      data-testid="span-row"
      data-span-id={span.id}
      data-flagged={node.flagged ? "true" : node.flaggedWithin ? "within" : undefined}
      onClick={() => props.onSelect(node)}
    >
      <div className="trace-row-label" style={{ paddingLeft: Math.min(node.depth, MAX_INDENT_DEPTH) * INDENT_PX }}>
        {hasChildren ? (
          <button
            type="button"
            className="trace-toggle"
            tabIndex={-1}
            aria-label={`${expanded ? "Collapse" : "Expand"} ${span.name}`}
            onClick={(event) => {
              event.stopPropagation();
              props.onToggle(node, !expanded);
            }}
          >
            {expanded ? "▾" : "▸"}
          </button>
        ) : (
          <span className="trace-toggle" aria-hidden="true" />
        )}
        <SpanKindBadge kind={span.kind} />
        <span className="trace-row-name" title={span.name}>
          {span.name}
        </span>
        {span.status === "error" ? <span className="trace-mark trace-mark-error">error</span> : null}
        {node.flagged ? (
          <span className="trace-mark trace-mark-flagged">flagged</span>
        ) : node.flaggedWithin ? (
          <span className="trace-mark-within" title="A step inside was flagged" aria-hidden="true" />
        ) : null}
      </div>
      <div className="trace-row-track" aria-hidden="true">
        <span
          className={`trace-bar trace-kind-${span.kind}${span.status === "running" ? " trace-bar-running" : ""}`}
          style={{ left: percent(node.offset), width: `max(${percent(node.width)}, ${MIN_BAR_PERCENT}%)` }}
        />
      </div>
      <span className="trace-row-duration">{span.status === "running" ? "running" : formatDuration(span.duration_ms)}</span>
    </div>
  );
});
