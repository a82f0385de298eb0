import { defineTrigger, type Bundle, type ZObject } from "zapier-platform-core";
import { receivedEvent, subscribe, unsubscribe } from "../hooks";
import { api } from "../http";
import { flattenLog, LOG_OUTPUT_FIELDS, LOG_SAMPLE, type LogLike } from "../log";

/**
 * One item per decision: changing a decision is a new event for the same log, so the item id combines
 * the log, the decision and its time (Zapier de-duplicates on `id`); `log_id` is the log's own id.
 */
export function decisionItem(log: LogLike) {
  const flat = flattenLog(log);
  return { ...flat, id: `${log.id}:${log.humanDecision ?? ""}:${log.decidedAt ?? ""}` };
}

const perform = async (z: ZObject, bundle: Bundle) => [decisionItem(receivedEvent(z, bundle).log)];

const performList = async (z: ZObject, bundle: Bundle) => {
  const { executions } = await api<{ executions: LogLike[] }>(z, bundle, "/api/logs", {
    params: { project: bundle.inputData.project as string, task: bundle.inputData.task as string, limit: 100 },
  });
  const decided = executions.filter((log) => log.humanDecision).sort((a, b) => String(b.decidedAt).localeCompare(String(a.decidedAt)));
  const details = await Promise.all(decided.slice(0, 3).map((log) => api<LogLike>(z, bundle, `/api/logs/${encodeURIComponent(log.id)}`)));
  return details.map(decisionItem);
};

export default defineTrigger({
  key: "new_decision",
  noun: "Decision",
  display: {
    label: "New Human Decision",
    description: "Triggers when someone approves or rejects a log in Tracira.",
  },
  operation: {
    type: "hook",
    inputFields: [
      {
        key: "project",
        label: "Project",
        required: false,
        dynamic: "projects.name.name",
        altersDynamicFields: true,
        helpText: "Only decisions on logs of this project. Leave empty for every project.",
      },
      {
        key: "task",
        label: "Task",
        required: false,
        dynamic: "tasks.name.name",
        helpText: "Only decisions on logs of this task. Leave empty for every task.",
      },
    ],
    performSubscribe: (z: ZObject, bundle: Bundle) => subscribe(z, bundle, ["log.decided"]),
    performUnsubscribe: unsubscribe,
    perform,
    performList,
    sample: {
      ...LOG_SAMPLE,
      id: "log_01J9ZQ4M8X:rejected:2026-11-22T18:05:00.000Z",
      human_decision: "rejected",
      decided_at: "2026-11-22T18:05:00.000Z",
      decided_by: "ana@example.com",
      decision_source: "dashboard",
    },
    outputFields: [...LOG_OUTPUT_FIELDS],
  },
});
