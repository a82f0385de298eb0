import { defineTrigger, type Bundle, type ZObject } from "zapier-platform-core";
import { api } from "../http";

/** Hidden: feeds the Task dropdowns from `GET /api/logs/tasks`, narrowed to the chosen project if any. */
export default defineTrigger({
  key: "tasks",
  noun: "Task",
  display: { label: "New Task", description: "Lists the task names for dropdowns.", hidden: true },
  operation: {
    type: "polling",
    perform: async (z: ZObject, bundle: Bundle) => {
      const names = await api<string[]>(z, bundle, "/api/logs/tasks", { params: { project: bundle.inputData.project as string } });
      return names.map((name) => ({ id: name, name }));
    },
    sample: { id: "reply", name: "reply" },
    outputFields: [
      { key: "id", label: "ID" },
      { key: "name", label: "Name" },
    ],
  },
});
