import { defineTrigger, type Bundle, type ZObject } from "zapier-platform-core";
import { api } from "../http";

/** Hidden: feeds the Project dropdowns from `GET /api/projects`. */
export default defineTrigger({
  key: "projects",
  noun: "Project",
  display: { label: "New Project", description: "Lists the workspace's projects for dropdowns.", hidden: true },
  operation: {
    type: "polling",
    perform: async (z: ZObject, bundle: Bundle) => {
      const projects = await api<{ id: string; name: string; executionCount: number }[]>(z, bundle, "/api/projects");
      return projects.map((p) => ({ id: p.id, name: p.name, log_count: p.executionCount }));
    },
    sample: { id: "prj_01J9ZQ", name: "Support bot", log_count: 42 },
    outputFields: [
      { key: "id", label: "ID" },
      { key: "name", label: "Name" },
      { key: "log_count", label: "Log Count", type: "integer" },
    ],
  },
});
