import { formatConfidence, OutcomeBadge } from "../format";
import type { LogDetail } from "../trpc";

type AppliedRule = LogDetail["appliedRules"][number];

/** The rules applied to a log; `compact` (narrow panels) leaves out the type and scope columns. */
export function AppliedRulesTable({ rules, compact = false }: { rules: AppliedRule[]; compact?: boolean }) {
  if (rules.length === 0) return <p className="muted">No rule applied to this log.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="applied-rules">
        <thead>
          <tr>
            <th>Rule</th>
            {compact ? null : <th>Type</th>}
            {compact ? null : <th>Scope</th>}
            <th>Outcome</th>
            <th>Explanation</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr key={rule.ruleId}>
              <td>{rule.ruleName}</td>
              {compact ? null : (
                <td>
                  <code>{rule.ruleType}</code>
                </td>
              )}
              {compact ? null : <td>{rule.scope}</td>}
              <td>
                <OutcomeBadge outcome={rule.outcome} />
              </td>
              <td>
                {rule.explanation ?? <span className="muted">—</span>}
                {rule.confidence != null ? <span className="muted"> (judge confidence {formatConfidence(rule.confidence)})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
