import { DecisionBadge, excerpt, formatDateTime, StatusBadge } from "../format";
import { Link, navigate } from "../router";
import type { LogItem, RouterOutputs } from "../trpc";

/** Each listed log's own evaluations (POST /api/logs/:id/evaluations), by log id. */
export type LogScores = RouterOutputs["evaluations"]["scores"];

interface Props {
  logs: LogItem[];
  /** With scores, a Scores column shows them (when any listed log has one). */
  scores?: LogScores | undefined;
  selected: Set<string>;
  onToggle: (id: string) => void;
  onToggleAll: (checked: boolean) => void;
}

function Scores({ scores }: { scores: LogScores[string] | undefined }) {
  if (!scores?.length) return <span className="muted">—</span>;
  return (
    <span className="filter-scores">
      {scores.map((s, i) => (
        <span key={`${s.name}-${i}`} className="tag" title={s.label ? `${s.name}: ${s.label}` : s.name}>
          {s.name} {s.score == null ? (s.label ?? "—") : s.score.toFixed(2)}
        </span>
      ))}
    </span>
  );
}

function LogRow(props: { log: LogItem; checked: boolean; onToggle: (id: string) => void; scores?: LogScores | undefined }) {
  const { log, checked, onToggle, scores } = props;
  const href = `/logs/${encodeURIComponent(log.id)}`;
  return (
    <tr className="clickable" data-testid="log-row" data-log-id={log.id} onClick={() => navigate(href)}>
      <td onClick={(event) => event.stopPropagation()}>
        <input type="checkbox" aria-label={`Select log ${log.id}`} checked={checked} onChange={() => onToggle(log.id)} />
      </td>
      <td className="nowrap">
        <Link to={href}>{formatDateTime(log.timestamp)}</Link>
      </td>
      <td>{log.projectName}</td>
      <td>{log.taskName ?? <span className="muted">—</span>}</td>
      <td>{log.model ?? <span className="muted">—</span>}</td>
      <td>
        <StatusBadge status={log.status} />
      </td>
      <td>
        <DecisionBadge decision={log.humanDecision} />
      </td>
      {scores ? (
        <td data-testid="log-scores">
          <Scores scores={scores[log.id]} />
        </td>
      ) : null}
      <td className="excerpt">{excerpt(log.output)}</td>
    </tr>
  );
}

export function LogTable({ logs, selected, onToggle, onToggleAll, scores }: Props) {
  const allChecked = logs.length > 0 && logs.every((log) => selected.has(log.id));
  const shownScores = scores && logs.some((log) => scores[log.id]?.length) ? scores : undefined;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th className="check-col">
              <input
                type="checkbox"
                aria-label="Select all logs on this page"
                checked={allChecked}
                onChange={(e) => onToggleAll(e.target.checked)}
              />
            </th>
            <th>Time</th>
            <th>Project</th>
            <th>Task</th>
            <th>Model</th>
            <th>Status</th>
            <th>Decision</th>
            {shownScores ? <th>Scores</th> : null}
            <th>Output</th>
          </tr>
        </thead>
        <tbody>
          {logs.map((log) => (
            <LogRow key={log.id} log={log} checked={selected.has(log.id)} onToggle={onToggle} scores={shownScores} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
