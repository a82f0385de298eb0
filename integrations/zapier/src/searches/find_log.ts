import { defineSearch, type Bundle, type ZObject } from "zapier-platform-core";
import { api } from "../http";
import { flattenLog, LOG_OUTPUT_FIELDS, LOG_SAMPLE, type LogLike } from "../log";

export default defineSearch({
  key: "find_log",
  noun: "Log",
  display: {
    label: "Find Log",
    description: "Finds a log by its ID, with its status, verdict and any human decision.",
  },
  operation: {
    inputFields: [
      { key: "log_id", label: "Log ID", required: true, helpText: "The ID of the log, such as the **ID** from a Log Execution step." },
    ],
    perform: async (z: ZObject, bundle: Bundle) => {
      const id = String(bundle.inputData.log_id ?? "").trim();
      const log = await api<LogLike | undefined>(z, bundle, `/api/logs/${encodeURIComponent(id)}`, { allowNotFound: true });
      return log ? [flattenLog(log)] : [];
    },
    sample: LOG_SAMPLE,
    outputFields: [...LOG_OUTPUT_FIELDS],
  },
});
