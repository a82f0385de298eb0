import { EvaluationLabelBadge, formatConfidence } from "../format";
import { Link } from "../router";
import type { TraceEvaluation } from "../trpc";

/** Evaluations of a trace or a span: the rules' and judges' own, and those callers posted with their evaluator's name. */
export function EvaluationList(props: { evaluations: TraceEvaluation[]; empty: string; testId?: string }) {
  if (props.evaluations.length === 0) return <p className="muted">{props.empty}</p>;
  return (
    <ul className="trace-evaluations" data-testid={props.testId}>
      {props.evaluations.map((evaluation) => (
        <li key={evaluation.id} data-evaluation-id={evaluation.id}>
          <div className="trace-evaluation-head">
            <EvaluationLabelBadge label={evaluation.label} />
            <strong>{evaluation.name}</strong>
            <code title={evaluation.evaluator_version ? `Evaluator version ${evaluation.evaluator_version}` : "Evaluator"}>
              {evaluation.evaluator}
            </code>
            {evaluation.score === null ? null : <span className="muted">score {formatConfidence(evaluation.score)}</span>}
            {/* A log posted from inside this trace shows its verdict here; it opens from its own page. */}
            {typeof evaluation.metadata.logId === "string" ? <Link to={`/logs/${evaluation.metadata.logId}`}>Open log →</Link> : null}
          </div>
          {evaluation.reason ? <p className="trace-evaluation-reason">{evaluation.reason}</p> : null}
        </li>
      ))}
    </ul>
  );
}
