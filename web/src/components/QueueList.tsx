import { useEffect, useRef } from "react";
import { excerpt, formatDateTime, StatusBadge } from "../format";
import type { LogItem } from "../trpc";

function QueueItem(props: { log: LogItem; selected: boolean; onSelect: () => void }) {
  const { log, selected } = props;
  const ref = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: "nearest" });
  }, [selected]);
  return (
    <li
      ref={ref}
      role="option"
      className={selected ? "queue-item selected" : "queue-item"}
      data-testid="queue-item"
      data-log-id={log.id}
      aria-selected={selected}
      onClick={props.onSelect}
    >
      <div className="queue-item-head">
        <StatusBadge status={log.status} />
        <span className="queue-project">
          {log.projectName}
          {log.taskName ? ` / ${log.taskName}` : ""}
        </span>
        <span className="muted small">{formatDateTime(log.timestamp)}</span>
      </div>
      <div className="queue-excerpt">{excerpt(log.output, 140)}</div>
    </li>
  );
}

export function QueueList(props: { items: LogItem[]; selectedId: string | undefined; onSelect: (id: string) => void }) {
  return (
    <ul className="queue-list" role="listbox" aria-label="Logs waiting for review">
      {props.items.map((log) => (
        <QueueItem key={log.id} log={log} selected={log.id === props.selectedId} onSelect={() => props.onSelect(log.id)} />
      ))}
    </ul>
  );
}
