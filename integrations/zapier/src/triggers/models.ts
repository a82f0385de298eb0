import { defineTrigger, type Bundle, type ZObject } from "zapier-platform-core";
import { api } from "../http";

/** Hidden: feeds the Model dropdown of Log Execution from `GET /api/models`. */
export default defineTrigger({
  key: "models",
  noun: "Model",
  display: { label: "New Model", description: "Lists Tracira's model presets for dropdowns.", hidden: true },
  operation: {
    type: "polling",
    perform: async (z: ZObject, bundle: Bundle) => {
      const models = await api<{ label: string; value: string }[]>(z, bundle, "/api/models");
      return models.map((m) => ({ id: m.value, value: m.value, label: m.label }));
    },
    sample: { id: "gpt-4o-mini", value: "gpt-4o-mini", label: "GPT-4o mini" },
    outputFields: [
      { key: "id", label: "ID" },
      { key: "value", label: "Model" },
      { key: "label", label: "Name" },
    ],
  },
});
