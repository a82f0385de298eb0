import { defineCreate, type Bundle, type ZObject } from "zapier-platform-core";
import { api } from "../http";

export default defineCreate({
  key: "decide_log",
  noun: "Decision",
  display: {
    label: "Approve or Reject Log",
    description: "Records a human decision (approved or rejected) on a log in Tracira.",
  },
  operation: {
    inputFields: [
      {
        key: "log_id",
        label: "Log ID",
        required: true,
        helpText: "The ID of the log, such as the **ID** from a Log Execution step or a New Verdict trigger.",
      },
      {
        key: "decision",
        label: "Decision",
        required: true,
        choices: { approved: "Approve", rejected: "Reject" },
        helpText: "Whether the AI output is approved or rejected.",
      },
      {
        key: "decided_by",
        label: "Decided By",
        required: false,
        helpText: "Who decided, such as a name or email address. Shown in Tracira.",
      },
    ],
    perform: async (z: ZObject, bundle: Bundle) => {
      const id = String(bundle.inputData.log_id ?? "").trim();
      const result = await api<{ ok: true; decidedBy: string }>(z, bundle, `/api/logs/${encodeURIComponent(id)}/decision`, {
        method: "PATCH",
        body: { decision: bundle.inputData.decision, decidedBy: bundle.inputData.decided_by || undefined, source: "zapier" },
      });
      return { id, log_id: id, decision: String(bundle.inputData.decision), decided_by: result.decidedBy };
    },
    sample: { id: "log_01J9ZQ4M8X", log_id: "log_01J9ZQ4M8X", decision: "approved", decided_by: "ana@example.com" },
    outputFields: [
      { key: "id", label: "Log ID" },
      { key: "log_id", label: "Log ID (Same as ID)" },
      { key: "decision", label: "Decision (approved or rejected)" },
      { key: "decided_by", label: "Decided By" },
    ],
  },
});
