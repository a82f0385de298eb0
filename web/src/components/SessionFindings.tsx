import type { ReactNode } from "react";
import { Link } from "../router";
import type { RouterOutputs } from "../trpc";

type Analysis = RouterOutputs["sessions"]["analysis"];
type SpanRef = Analysis["slowSpans"][number];

function SpanLink({ span }: { span: Pick<SpanRef, "traceId" | "turn" | "spanId" | "name"> }) {
  return (
    <Link to={`/logs/${encodeURIComponent(span.traceId)}`}>
      turn {span.turn} · {span.name}
    </Link>
  );
}

function Group({ title, children }: { title: string; children: ReactNode[] }) {
  if (children.length === 0) return null;
  return (
    <div className="session-findings">
      <h3>
        {title} <span className="muted small">({children.length})</span>
      </h3>
      <ul>{children}</ul>
    </div>
  );
}

/** The session analysis' findings (slow spans, error patterns, decision anomalies) and its suggestions, each with its reason. */
export function SessionFindings({ analysis }: { analysis: Analysis }) {
  const { slowSpans, errorPatterns, decisionAnomalies, suggestions } = analysis;
  if (slowSpans.length + errorPatterns.length + decisionAnomalies.length === 0) {
    return <p className="muted">No findings: no slow spans, repeated errors or decision anomalies in this session.</p>;
  }
  return (
    <div data-testid="session-analysis">
      <Group title="Slow spans">
        {slowSpans.map((span) => (
          <li key={`${span.traceId}-${span.spanId}`}>
            <SpanLink span={span} /> — {span.reason}
          </li>
        ))}
      </Group>
      <Group title="Error patterns">
        {errorPatterns.map((pattern) => (
          <li key={`${pattern.kind}-${pattern.name}-${pattern.pattern}`}>
            <code>{pattern.pattern}</code> ×{pattern.count} — {pattern.reason}{" "}
            {pattern.spans.slice(0, 3).map((span) => (
              <span key={`${span.traceId}-${span.spanId}`} className="session-span-ref">
                <SpanLink span={span} />
              </span>
            ))}
          </li>
        ))}
      </Group>
      <Group title="Decision anomalies">
        {decisionAnomalies.map((anomaly, index) => (
          <li key={index}>
            {anomaly.reason}{" "}
            {anomaly.spans[0] ? (
              <span className="session-span-ref">
                <SpanLink span={anomaly.spans[0]} />
              </span>
            ) : null}
          </li>
        ))}
      </Group>
      <Group title="Suggestions">
        {suggestions.map((suggestion, index) => (
          <li key={index}>{suggestion.text}</li>
        ))}
      </Group>
    </div>
  );
}
