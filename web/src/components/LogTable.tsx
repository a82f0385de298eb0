import { DecisionBadge, excerpt, formatDateTime, StatusBadge } from "../format";
import { Link, navigate } from "../router";
import type { LogItem } from "../trpc";

interface Props {
  logs: LogItem[];
  selected: Set<string>;
  onToggle: (id: string) => void;
  onToggleAll: (checked: boolean) => void;
}

function LogRow({ log, checked, onToggle }: { log: LogItem; checked: boolean; onToggle: (id: string) => void }) {
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
      <td className="excerpt">{excerpt(log.output)}</td>
    </tr>
  );
}

export function LogTable({ logs, selected, onToggle, onToggleAll }: Props) {
  const allChecked = logs.length > 0 && logs.every((log) => selected.has(log.id));
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
            <th>Output</th>
          </tr>
        </thead>
        <tbody>
          {logs.map((log) => (
            <LogRow key={log.id} log={log} checked={selected.has(log.id)} onToggle={onToggle} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
