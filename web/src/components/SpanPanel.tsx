import { formatDateTime, formatDuration, formatMoney, formatNumber } from "../format";
import type { SpanNode } from "../trace-tree";
import { EvaluationList } from "./EvaluationList";
import { Facts } from "./Facts";
import { SpanKindBadge } from "./SpanKindBadge";
import { TextBlock } from "./TextBlock";

const count = (n: number | null) => (n === null ? null : formatNumber(n));

function tokens(span: SpanNode["span"]): string | null {
  if (span.input_tokens === null && span.output_tokens === null) return null;
  const cached = span.cached_input_tokens ? ` (${formatNumber(span.cached_input_tokens)} cached)` : "";
  return `${count(span.input_tokens) ?? "—"} in${cached} · ${count(span.output_tokens) ?? "—"} out`;
}

const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === "" || (typeof value === "object" && Object.keys(value).length === 0);

/** The selected span: what went in and came out, its error, usage, attributes and its evaluations. */
export function SpanPanel({ node }: { node: SpanNode | null }) {
  if (!node) return <p className="muted trace-panel">Select a step to see its input, output, usage and evaluations.</p>;
  const { span } = node;
  const model = [span.provider, span.model].filter(Boolean).join(" / ");
  return (
    <div className="trace-panel" data-testid="span-panel" data-span-id={span.id} aria-live="polite">
      <div className="trace-panel-head">
        <SpanKindBadge kind={span.kind} />
        <h3>{span.name}</h3>
        {span.status === "ok" ? null : (
          <span className={`badge badge-${span.status === "error" ? "error" : "pending"}`}>{span.status}</span>
        )}
      </div>
      {node.flagged ? <p className="trace-panel-flagged">An evaluation flagged this step.</p> : null}
      <Facts
        items={[
          ["Started", formatDateTime(span.started_at)],
          ["Duration", span.status === "running" ? "running" : formatDuration(span.duration_ms)],
          ["Model", model || null],
          ["Tokens", tokens(span)],
          ["Cost", span.cost_usd === null ? null : formatMoney(span.cost_usd)],
          ["Span id", <code key="id">{span.id}</code>],
        ]}
      />
      <h4>Evaluations</h4>
      <EvaluationList evaluations={node.evaluations} empty="No evaluation of this step." testId="span-evaluations" />
      {isEmpty(span.error) ? null : (
        <>
          <h4>Error</h4>
          <TextBlock value={span.error} testId="span-error" />
        </>
      )}
      <h4>Input</h4>
      <TextBlock value={span.input} testId="span-input" />
      <h4>Output</h4>
      <TextBlock value={span.output} testId="span-output" />
      {isEmpty(span.attributes) ? null : (
        <>
          <h4>Attributes</h4>
          <TextBlock value={span.attributes} testId="span-attributes" />
        </>
      )}
    </div>
  );
}
