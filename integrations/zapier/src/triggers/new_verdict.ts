import { defineTrigger, type Bundle, type ZObject } from "zapier-platform-core";
import { receivedEvent, subscribe, unsubscribe } from "../hooks";
import { api } from "../http";
import { flattenLog, LOG_OUTPUT_FIELDS, LOG_SAMPLE, type LogLike } from "../log";

/** Which hook event each choice subscribes to. */
export const VERDICT_EVENTS: Record<string, string> = {
  flagged: "log.flagged",
  error: "log.error",
  passed: "log.passed",
  any: "log.evaluated",
};

const STATUS_OF: Record<string, string | undefined> = { flagged: "flagged", error: "error", passed: "pass", any: undefined };

const verdictChoice = (bundle: Bundle) => String(bundle.inputData.verdict || "flagged");

const perform = async (z: ZObject, bundle: Bundle) => {
  const event = receivedEvent(z, bundle);
  return [flattenLog(event.log)];
};

/** Recent evaluated logs like the ones the hook will send, for the Zap editor's test step. */
const performList = async (z: ZObject, bundle: Bundle) => {
  const { executions } = await api<{ executions: LogLike[] }>(z, bundle, "/api/logs", {
    params: {
      status: STATUS_OF[verdictChoice(bundle)],
      project: bundle.inputData.project as string,
      task: bundle.inputData.task as string,
      limit: 10,
    },
  });
  const evaluated = executions.filter((log) => log.status !== "pending").slice(0, 3);
  const details = await Promise.all(evaluated.map((log) => api<LogLike>(z, bundle, `/api/logs/${encodeURIComponent(log.id)}`)));
  return details.map(flattenLog);
};

export default defineTrigger({
  key: "new_verdict",
  noun: "Verdict",
  display: {
    label: "New Verdict",
    description: "Triggers when Tracira finishes checking a log, such as when an AI output is flagged.",
  },
  operation: {
    type: "hook",
    inputFields: [
      {
        key: "verdict",
        label: "Verdict",
        required: true,
        default: "flagged",
        choices: { flagged: "Flagged", error: "Error", passed: "Passed", any: "Any Verdict" },
        helpText:
          "Which verdicts start the Zap. **Flagged** means at least one rule triggered; **Error** means a rule could not be evaluated.",
      },
      {
        key: "project",
        label: "Project",
        required: false,
        dynamic: "projects.name.name",
        altersDynamicFields: true,
        helpText: "Only logs of this project. Leave empty for every project.",
      },
      {
        key: "task",
        label: "Task",
        required: false,
        dynamic: "tasks.name.name",
        helpText: "Only logs of this task. Leave empty for every task.",
      },
    ],
    performSubscribe: (z: ZObject, bundle: Bundle) => subscribe(z, bundle, [VERDICT_EVENTS[verdictChoice(bundle)] ?? "log.flagged"]),
    performUnsubscribe: unsubscribe,
    perform,
    performList,
    sample: LOG_SAMPLE,
    outputFields: [...LOG_OUTPUT_FIELDS],
  },
});
