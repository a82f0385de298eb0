import { formatDuration, formatMoney, formatNumber } from "../format";
import { useTraceTree } from "../hooks/useTraceTree";
import type { TraceDetail } from "../trpc";
import { SpanPanel } from "./SpanPanel";
import { SpanTree } from "./SpanTree";

/** A log's trace: its steps as a tree and waterfall, the step an evaluation flagged, and the selected step. */
export function TraceSection({ detail, initialSpanId = null }: { detail: TraceDetail; initialSpanId?: string | null }) {
  const state = useTraceTree(detail, initialSpanId);
  const { tree, selected, select, expandAll, collapseAll } = state;
  const { trace } = detail;
  const flagged = tree.firstFlagged;
  const errors = tree.nodes.filter((node) => node.span.status === "error").length;
  return (
    <section className="card trace" data-testid="trace">
      <div className="trace-head">
        <h2>Trace</h2>
        <span className="muted">
          {formatNumber(tree.nodes.length)} steps · {formatDuration(trace.duration_ms)}
          {trace.total_input_tokens || trace.total_output_tokens
            ? ` · ${formatNumber(trace.total_input_tokens)} in / ${formatNumber(trace.total_output_tokens)} out tokens`
            : ""}
          {trace.total_cost_usd ? ` · ${formatMoney(trace.total_cost_usd)}` : ""}
          {errors ? ` · ${formatNumber(errors)} failed` : ""}
        </span>
        <span className="trace-head-actions">
          <button type="button" className="button small secondary" onClick={expandAll}>
            Expand all
          </button>
          <button type="button" className="button small secondary" onClick={collapseAll}>
            Collapse all
          </button>
        </span>
      </div>
      {flagged ? (
        <p className="trace-flagged-at" data-testid="trace-flagged-at">
          Flagged at step <strong>{flagged.span.name}</strong>
          <button type="button" className="button small secondary" onClick={() => select(flagged)}>
            Show step
          </button>
        </p>
      ) : null}
      <div className="trace-body">
        <SpanTree state={state} />
        <SpanPanel node={selected} />
      </div>
    </section>
  );
}
