/**
 * What n8n's editor calls on the package: the Model dropdown (loadOptions `getModels`, real
 * LoadOptionsContext) and the credential test (the credential's `test` request, run as n8n's
 * CredentialsTester does), against the built backend.
 */
import type { INodeProperties, INodePropertyCollection } from "n8n-workflow";
import { loadOptions, runWorkflow, START_NODE_TYPE, subtitleOf, testCredential, type Types } from "./harness";
import { startBackend, type Backend } from "./helpers/backend";
import { NODE, TRIGGER, traciraCredentials, traciraTypes } from "./helpers/tracira";

let types: Types;
let backend: Backend;

beforeAll(async () => {
  types = await traciraTypes();
  backend = await startBackend();
});
afterAll(() => backend?.close());

test("getModels returns exactly GET /api/models as { name, value }", async () => {
  const models = await backend.call("GET", "/api/models", undefined, { token: null });
  expect(models.status).toBe(200);
  expect(models.body.length).toBeGreaterThan(0);
  const options = await loadOptions({
    types,
    nodeType: NODE,
    method: "getModels",
    parameters: { resource: "log", operation: "create" },
    credentials: traciraCredentials(backend),
  });
  expect(options).toEqual(models.body.map((m: { label: string; value: string }) => ({ name: m.label, value: m.value })));
});

test("Project and Task are dropdowns from the API (Log Execution and the trigger's filter), so a typo cannot create a project", async () => {
  for (const output of ["a", "b"]) {
    expect((await backend.call("POST", "/api/logs", { project: "n8n-dropdowns", task: `step-${output}`, output })).status).toBe(200);
  }
  expect((await backend.call("POST", "/api/logs", { project: "n8n-other", task: "elsewhere", output: "c" })).status).toBe(200);
  const projects = ((await backend.call("GET", "/api/projects")).body as { name: string }[]).map((p) => p.name);
  const tasks = (await backend.call("GET", "/api/logs/tasks?project=n8n-dropdowns")).body as string[];
  expect(tasks.sort()).toEqual(["step-a", "step-b"]);
  const load = (nodeType: string, method: string, parameters: Record<string, string>) =>
    loadOptions({ types, nodeType, method, parameters, credentials: traciraCredentials(backend) });
  const named = (names: string[]) => names.map((name) => ({ name, value: name }));

  expect(await load(NODE, "getProjects", { resource: "log", operation: "create" })).toEqual(named(projects));
  expect(await load(NODE, "getTasks", { resource: "log", operation: "create", project: "n8n-dropdowns" })).toEqual(named(tasks));
  expect(await load(TRIGGER, "getProjectFilters", {})).toEqual([{ name: "Every Project", value: "" }, ...named(projects)]);
  expect(await load(TRIGGER, "getTaskFilters", { project: "n8n-dropdowns" })).toEqual([{ name: "Every Task", value: "" }, ...named(tasks)]);

  const property = (nodeType: string, name: string, within?: string) => {
    const all = types.nodeTypes.getByNameAndVersion(nodeType).description.properties;
    const list = within ? ((all.find((p) => p.name === within)?.options ?? []) as typeof all) : all;
    return list.find((p) => p.name === name && (!p.displayOptions?.show?.operation || p.displayOptions.show.operation.includes("create")));
  };
  expect(property(NODE, "project")).toMatchObject({ type: "options", typeOptions: { loadOptionsMethod: "getProjects" } });
  expect(property(NODE, "task", "additionalFields")).toMatchObject({
    type: "options",
    typeOptions: { loadOptionsMethod: "getTasks", loadOptionsDependsOn: ["project"] },
  });
  expect(property(TRIGGER, "project")).toMatchObject({ type: "options", typeOptions: { loadOptionsMethod: "getProjectFilters" } });
  expect(property(TRIGGER, "task")).toMatchObject({ type: "options", typeOptions: { loadOptionsMethod: "getTaskFilters" } });
});

test("the credential test passes with the token", async () => {
  await expect(testCredential(types, "traciraApi", traciraCredentials(backend).traciraApi)).resolves.toEqual({
    status: "OK",
    message: "Connection successful!",
  });
});

test("the credential test answers in the node's own sentences: a refused token, a base URL with /api, an empty one", async () => {
  const result = (apiToken: string, baseUrl = backend.url) => testCredential(types, "traciraApi", { apiToken, baseUrl });
  await expect(result("wh-not-the-token")).resolves.toEqual({
    status: "Error",
    message: "This token is not valid (it may have been rotated). Copy the current token from Settings → Integrations.",
  });
  await expect(result("")).resolves.toEqual({
    status: "Error",
    message: "This is not a Tracira token: workspace tokens start with wh-.",
  });
  await expect(result(backend.token, `${backend.url}/api`)).resolves.toEqual({
    status: "Error",
    message: expect.stringContaining("the base URL should be the server's root, without /api"),
  });
  await expect(result(backend.token, "")).resolves.toEqual({
    status: "Error",
    message: expect.stringMatching(/^The Tracira credential has no Base URL/),
  });
  await expect(result(backend.token, "http://127.0.0.1:9")).resolves.toEqual({
    status: "Error",
    message: expect.stringMatching(/^Could not reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/),
  });
});

test("the node refuses an empty base URL, and one ending in /api, in words (it no longer falls back to localhost)", async () => {
  const workflow: Parameters<typeof runWorkflow>[0] = {
    types,
    nodes: [
      { id: "1", name: "Start", type: START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify([{}]) } },
      {
        id: "2",
        name: "Tracira",
        type: NODE,
        typeVersion: 1,
        position: [200, 0],
        parameters: { resource: "project", operation: "getAll" },
        credentials: { traciraApi: { id: "1", name: "Tracira account" } },
      },
    ],
    connections: { Start: { main: [[{ node: "Tracira", type: "main", index: 0 }]] } },
    credentials: { traciraApi: { apiToken: backend.token, baseUrl: "" } },
  };
  const result = await runWorkflow(workflow);
  expect(result.errorOf("Tracira")).toMatch(/^The Tracira credential has no Base URL/);
  const withApi = await runWorkflow({
    ...workflow,
    credentials: { traciraApi: { apiToken: backend.token, baseUrl: `${backend.url}/api` } },
  });
  expect(withApi.errorOf("Tracira")).toContain("the base URL should be the server's root, without /api");
});

test("the canvas subtitles say what the node does in words, not raw values", () => {
  expect(subtitleOf(types, NODE, { resource: "log", operation: "create" })).toBe("Log an AI output");
  expect(subtitleOf(types, NODE, { resource: "rule", operation: "test" })).toBe("Test a rule");
  expect(subtitleOf(types, NODE, { resource: "project", operation: "getAll" })).toBe("Get many projects");
  // Every operation of every resource, by its action (the subtitle is a literal, as n8n's lint wants).
  const operations = types.nodeTypes.getByNameAndVersion(NODE).description.properties.filter((p) => p.name === "operation");
  const pairs = operations.flatMap((p) =>
    (p.options as { value: string; action?: string; name: string }[]).map((o) => ({
      resource: String(p.displayOptions?.show?.resource?.[0]),
      operation: o.value,
      action: o.action ?? o.name,
    })),
  );
  expect(pairs.length).toBeGreaterThan(8);
  for (const { resource, operation, action } of pairs) {
    expect({ resource, operation, subtitle: subtitleOf(types, NODE, { resource, operation }) }).toEqual({
      resource,
      operation,
      subtitle: action,
    });
  }
  expect(subtitleOf(types, TRIGGER, {})).toBe("On Flagged");
  expect(subtitleOf(types, TRIGGER, { events: ["log.flagged", "log.decided"] })).toBe("On Flagged, Human Decision");
});

test("no placeholder is an expression (n8n shows placeholders as plain text)", () => {
  const placeholders: string[] = [];
  const walk = (properties: readonly (INodeProperties | INodePropertyCollection)[], at: string) => {
    for (const p of properties) {
      const name = `${at}${"name" in p ? p.name : ""}`;
      if ("placeholder" in p && typeof p.placeholder === "string") placeholders.push(`${name}: ${p.placeholder}`);
      for (const option of ("options" in p ? (p.options ?? []) : []) as (INodeProperties | INodePropertyCollection)[]) {
        if (typeof option === "object" && ("displayName" in option || "values" in option)) walk([option], `${name}.`);
      }
      if ("values" in p && Array.isArray(p.values)) walk(p.values, `${name}.`);
    }
  };
  for (const type of [NODE, TRIGGER]) walk(types.nodeTypes.getByNameAndVersion(type).description.properties, `${type}:`);
  expect(placeholders.length).toBeGreaterThan(5);
  expect(placeholders.filter((p) => /: =/.test(p))).toEqual([]);
});
