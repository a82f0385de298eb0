/**
 * The Tracira node's Log Execution in a workflow run by n8n's own engine (WorkflowExecute, the built
 * package loaded by PackageDirectoryLoader) against the built backend on a real Postgres: with the gate
 * on, each item lands on the output of its verdict; with it off, every item on the one output.
 */
import { OUTPUTS } from "../../backend/test/helpers/deliveries";
import { waitForFinal } from "../../backend/test/helpers/server";
import type { INodeType } from "n8n-workflow";
import {
  AGENT_NODE_TYPE,
  agentNodeType,
  loadPackage,
  runWorkflow,
  START_NODE_TYPE,
  startNodeType,
  toolVariantOf,
  typesOf,
  type Types,
} from "./harness";
import { startBackend, type Backend } from "./helpers/backend";
import { NODE, traciraCredentials, traciraTypes } from "./helpers/tracira";

let types: Types;
let backend: Backend;

beforeAll(async () => {
  types = await traciraTypes();
  backend = await startBackend();
  // "BAD" flags; a judge on task "judge" errors: the server has no provider key.
  expect((await backend.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
  expect(
    (await backend.call("POST", "/api/rules", { name: "Judge", type: "llm_judge", value: "Is polite", taskName: "judge" })).status,
  ).toBe(201);
});
afterAll(() => backend?.close());

/** Start → Tracira (Log Execution), with the pass / flagged / error outputs as the three items (or `items`). */
function logWorkflow(
  gate: boolean,
  items: Record<string, unknown>[] = [OUTPUTS.pass, OUTPUTS.flagged, OUTPUTS.error],
  node: Record<string, unknown> = {},
) {
  return {
    types,
    nodes: [
      {
        id: "1",
        name: "Start",
        type: START_NODE_TYPE,
        typeVersion: 1,
        position: [0, 0] as [number, number],
        parameters: { items: JSON.stringify(items) },
      },
      {
        id: "2",
        name: "Tracira",
        type: NODE,
        typeVersion: 1,
        position: [200, 0] as [number, number],
        parameters: {
          resource: "log",
          operation: "create",
          project: "n8n-gate",
          output: "={{ $json.output }}",
          gate,
          additionalFields: { task: "={{ $json.task }}", timestamp: "={{ $json.timestamp }}" },
        },
        credentials: { traciraApi: { id: "1", name: "Tracira account" } },
        ...node,
      },
    ],
    connections: { Start: { main: [[{ node: "Tracira", type: "main" as const, index: 0 }]] } },
    credentials: traciraCredentials(backend),
  };
}

test("gate on: the passing, flagged and erroring items land on Pass, Flagged and Error", async () => {
  const result = await runWorkflow(logWorkflow(true));
  expect(result.errorOf("Tracira")).toBeUndefined();
  const [pass, flagged, error] = result.outputs("Tracira");
  expect([pass, flagged, error].map((o) => o?.length)).toEqual([1, 1, 1]);
  expect(pass![0]).toMatchObject({ ok: true, status: "pass", verdict: { pass: true } });
  expect(flagged![0]).toMatchObject({
    ok: true,
    status: "flagged",
    verdict: { pass: false, rules: [{ name: "No BAD", triggered: true }] },
  });
  expect(error![0]).toMatchObject({ ok: true, status: "error" });
  // Each item carries its log's id; the backend stored each log with that status.
  for (const [item, status] of [
    [pass![0]!, "pass"],
    [flagged![0]!, "flagged"],
    [error![0]!, "error"],
  ] as const) {
    expect(item.id).toEqual(expect.any(String));
    const stored = await backend.call("GET", `/api/logs/${encodeURIComponent(String(item.id))}`);
    expect(stored.body).toMatchObject({ id: item.id, status, projectName: "n8n-gate" });
  }
  const error0 = await backend.call("GET", `/api/logs/${encodeURIComponent(String(error![0]!.id))}`);
  expect(error0.body.taskName).toBe("judge");
});

test("gate off: one output with every item, each a stored log evaluated afterwards", async () => {
  const result = await runWorkflow(logWorkflow(false));
  expect(result.errorOf("Tracira")).toBeUndefined();
  const outputs = result.outputs("Tracira");
  expect(outputs).toHaveLength(1);
  expect(outputs[0]).toHaveLength(3);
  for (const item of outputs[0]!) expect(item).toMatchObject({ ok: true, id: expect.any(String), status: "pending" });
  const finals = await Promise.all(outputs[0]!.map((item) => waitForFinal(backend.call, String(item.id))));
  expect(finals).toEqual(["pass", "flagged", "error"]);
});

test("an API error names what to fix (message and fields); Continue On Fail sends only that item to Error", async () => {
  const items = [OUTPUTS.pass, { ...OUTPUTS.pass, timestamp: "last tuesday" }];
  const failed = await runWorkflow(logWorkflow(true, items));
  expect(failed.errorOf("Tracira")).toMatch(/timestamp/);
  const description = String((failed.run.data.resultData.runData.Tracira?.[0]?.error as { description?: string } | undefined)?.description);
  expect(description).toMatch(/^timestamp: /m);

  const continued = await runWorkflow(logWorkflow(true, items, { onError: "continueRegularOutput" }));
  expect(continued.errorOf("Tracira")).toBeUndefined();
  const [pass, flagged, error] = continued.outputs("Tracira");
  expect([pass!.length, flagged!.length, error!.length]).toEqual([1, 0, 1]);
  expect(pass![0]).toMatchObject({ status: "pass" });
  expect(String(error![0]!.error)).toMatch(/timestamp/);
});

describe("as an AI Agent's tool (the Tracira Tool n8n makes of the node)", () => {
  const agentWorkflow = (toolTypes: Types, items: Record<string, unknown>) => ({
    types: toolTypes,
    nodes: [
      {
        id: "1",
        name: "Start",
        type: START_NODE_TYPE,
        typeVersion: 1,
        position: [0, 0] as [number, number],
        parameters: { items: "[{}]" },
      },
      { id: "2", name: "Agent", type: AGENT_NODE_TYPE, typeVersion: 1, position: [200, 0] as [number, number], parameters: { args: "{}" } },
      {
        id: "3",
        name: "Tracira Tool",
        type: `${NODE}Tool`,
        typeVersion: 1,
        position: [200, 200] as [number, number],
        parameters: { resource: "log", operation: "create", project: "n8n-gate", gate: true, ...items },
        credentials: { traciraApi: { id: "1", name: "Tracira account" } },
      },
    ],
    connections: {
      Start: { main: [[{ node: "Agent", type: "main" as const, index: 0 }]] },
      "Tracira Tool": { ai_tool: [[{ node: "Agent", type: "ai_tool" as const, index: 0 }]] },
    },
    credentials: traciraCredentials(backend),
  });

  test("with Gate on Verdict on, a flagged or error verdict reaches the agent with its status and explanation", async () => {
    const pkg = await loadPackage();
    const toolTypes = typesOf([pkg], {
      [START_NODE_TYPE]: startNodeType,
      [AGENT_NODE_TYPE]: agentNodeType,
      [`${NODE}Tool`]: toolVariantOf(pkg.nodes[NODE] as INodeType),
    });
    for (const status of ["flagged", "error", "pass"] as const) {
      const { output, task } = OUTPUTS[status];
      const result = await runWorkflow(agentWorkflow(toolTypes, { output, ...(task ? { additionalFields: { task } } : {}) }));
      expect(result.errorOf("Agent")).toBeUndefined();
      const [[{ answer }]] = result.outputs("Agent") as [[{ answer: string }]];
      const [answered] = JSON.parse(answer) as Record<string, unknown>[];
      expect(answered).toMatchObject({ id: expect.any(String), status, verdict: { pass: status === "pass" } });
      if (status !== "pass") expect(answered!.explanation).toEqual(expect.any(String));
    }
  });
});
