import { useQuery } from "@tanstack/react-query";
import type { Decision } from "../hooks/useLogActions";
import { Link } from "../router";
import { trpc, type LogItem } from "../trpc";
import { AppliedRulesTable } from "./AppliedRulesTable";
import { ApproveRejectButtons } from "./DecisionButtons";
import { TextBlock } from "./TextBlock";

function TriggeredRules({ id }: { id: string }) {
  const detail = useQuery({ queryKey: ["logs.get", { id }], queryFn: () => trpc.logs.get.query({ id }) });
  if (!detail.data) return <p className="muted">{detail.isError ? "Could not load the rules." : "Loading…"}</p>;
  return <AppliedRulesTable compact rules={detail.data.appliedRules.filter((rule) => rule.outcome !== "passed")} />;
}

/** The selected log: what it said, why it was stopped, and the decision buttons. */
export function QueuePanel({ log, onDecide }: { log: LogItem; onDecide: (decision: Decision) => void }) {
  return (
    <aside className="queue-panel card" data-testid="queue-panel" aria-label="Selected log">
      <div className="queue-panel-head">
        <h2>
          {log.projectName}
          {log.taskName ? ` / ${log.taskName}` : ""}
        </h2>
        <Link to={`/logs/${encodeURIComponent(log.id)}`}>Open full log</Link>
      </div>
      <ApproveRejectButtons onDecide={onDecide} />
      <h3>Output</h3>
      <TextBlock value={log.output} testId="queue-output" />
      <h3>Explanation</h3>
      <p data-testid="queue-explanation">{log.explanation ?? "—"}</p>
      <h3>Triggered rules</h3>
      <TriggeredRules id={log.id} />
    </aside>
  );
}
