import { RULE_TYPE_INFO } from "../rule-types";
import { excerpt } from "../format";
import type { Rule } from "../trpc";

function scopeText(rule: Rule): string {
  if (rule.scope === "global") return "All projects";
  if (rule.scope === "project") return rule.projectName ?? "One project";
  return `${rule.projectName ?? "?"} / ${rule.taskName ?? "?"}`;
}

interface Props {
  rules: Rule[];
  onEdit: (rule: Rule) => void;
  onDelete: (rule: Rule) => void;
  deleting: boolean;
}

export function RuleTable({ rules, onEdit, onDelete, deleting }: Props) {
  if (rules.length === 0) return <p className="empty">No rules yet. Every log passes until you add one.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="rules-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Value</th>
            <th>Scope</th>
            <th>Active</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr key={rule.id} data-testid="rule-row" data-rule-id={rule.id}>
              <td>
                <strong>{rule.name}</strong>
                {rule.description ? <div className="muted small">{excerpt(rule.description, 80)}</div> : null}
              </td>
              <td>{RULE_TYPE_INFO[rule.type].label}</td>
              <td className="excerpt">
                <code>{excerpt(rule.value, 60)}</code>
              </td>
              <td>{scopeText(rule)}</td>
              <td>{rule.isActive ? <span className="badge badge-pass">active</span> : <span className="badge badge-neutral">off</span>}</td>
              <td className="actions">
                <button type="button" className="button secondary small" onClick={() => onEdit(rule)}>
                  Edit
                </button>
                <button type="button" className="button danger small" disabled={deleting} onClick={() => onDelete(rule)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
