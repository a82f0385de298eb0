/**
 * A run traced step by step from a workflow run by n8n's own engine against the built backend: Log Execution
 * with Wait for Final Step, then Trace → Add Step three times (a parent and two children), the last one final
 * and gated on the verdict, which routes the item to Pass / Flagged / Error. Also: Log Execution's Trace Parent
 * links the log to the workflow's trace.
 */
import type { INode } from "n8n-workflow";
import { runWorkflow, START_NODE_TYPE, type Types } from "./harness";
import { startBackend, type Backend } from "./helpers/backend";
import { NODE, traciraCredentials, traciraTypes } from "./helpers/tracira";
import { expectThreeStepTrace, STEPS } from "./helpers/trace";

let types: Types;
let backend: Backend;

beforeAll(async () => {
  types = await traciraTypes();
  backend = await startBackend();
  expect((await backend.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
});
afterAll(() => backend?.close());

const credentials = { traciraApi: { id: "1", name: "Tracira account" } };
const LOG_ID = "={{ $('Log').item.json.id }}";

const node = (name: string, x: number, parameters: Record<string, unknown>): INode => ({
  id: name,
  name,
  type: NODE,
  typeVersion: 1,
  position: [x, 0],
  parameters: parameters as INode["parameters"],
  credentials,
});

/** Start → Log (Wait for Final Step) → Plan → Draft → Check (final, gated): the chain of a traced run. */
function tracedRun(finalOutput: string, log: Record<string, unknown> = {}) {
  const nodes: INode[] = [
    {
      id: "start",
      name: "Start",
      type: START_NODE_TYPE,
      typeVersion: 1,
      position: [0, 0],
      parameters: { items: '[{"question":"Can I get a refund?"}]' },
    },
    node("Log", 200, { resource: "log", operation: "create", project: "n8n-trace", awaitFinalStep: true, ...log }),
    node("Plan", 400, {
      resource: "trace",
      operation: "addStep",
      logId: LOG_ID,
      kind: STEPS.plan.kind,
      name: STEPS.plan.name,
      additionalFields: { id: STEPS.plan.id, input: "={{ $('Start').item.json.question }}" },
    }),
    node("Draft", 600, {
      resource: "trace",
      operation: "addStep",
      logId: LOG_ID,
      // Kind left at its default: llm.
      name: STEPS.draft.name,
      additionalFields: {
        id: STEPS.draft.id,
        parentStepId: STEPS.plan.id,
        model: STEPS.draft.model,
        inputTokens: STEPS.draft.inputTokens,
        outputTokens: STEPS.draft.outputTokens,
        costUsd: STEPS.draft.costUsd,
        input: "={{ $('Start').item.json.question }}",
        output: finalOutput,
        durationMs: 850,
      },
    }),
    node("Check", 800, {
      resource: "trace",
      operation: "addStep",
      logId: LOG_ID,
      kind: STEPS.check.kind,
      name: STEPS.check.name,
      final: true,
      gate: true,
      additionalFields: { id: STEPS.check.id, parentStepId: STEPS.plan.id, output: finalOutput },
    }),
  ];
  const chain = ["Start", "Log", "Plan", "Draft", "Check"];
  const connections = Object.fromEntries(
    chain.slice(0, -1).map((from, i) => [from, { main: [[{ node: chain[i + 1]!, type: "main" as const, index: 0 }]] }]),
  );
  return { types, nodes, connections, credentials: traciraCredentials(backend) };
}

test("Log Execution waits for the final step; three Add Steps build the trace; the final one gates on the verdict", async () => {
  const result = await runWorkflow(tracedRun("Refunds take 5 days."));
  for (const name of ["Log", "Plan", "Draft", "Check"]) expect(result.errorOf(name)).toBeUndefined();

  const [logged] = result.outputs("Log");
  expect(logged).toEqual([{ ok: true, id: expect.any(String), status: "pending" }]);
  const logId = String(logged![0]!.id);

  const [plan] = result.outputs("Plan");
  expect(plan![0]).toMatchObject({ ok: true, traceId: logId, stepId: STEPS.plan.id, spanCount: 1, final: false });
  expect(plan![0]).not.toHaveProperty("status");

  const [pass, flagged, error] = result.outputs("Check");
  expect([pass!.length, flagged!.length, error!.length]).toEqual([1, 0, 0]);
  expect(pass![0]).toMatchObject({
    ok: true,
    traceId: logId,
    stepId: STEPS.check.id,
    spanCount: 3,
    final: true,
    status: "pass",
    verdict: { pass: true },
  });

  await expectThreeStepTrace(backend, logId);
  // The log took the final step's output, as it was sent without one.
  const stored = await backend.call("GET", `/api/logs/${encodeURIComponent(logId)}`);
  expect(stored.body).toMatchObject({ status: "pass", output: "Refunds take 5 days.", projectName: "n8n-trace" });
});

test("a flagged run leaves the final step on Flagged with the rule that triggered", async () => {
  const result = await runWorkflow(tracedRun("This is BAD."));
  expect(result.errorOf("Check")).toBeUndefined();
  const [pass, flagged, error] = result.outputs("Check");
  expect([pass!.length, flagged!.length, error!.length]).toEqual([0, 1, 0]);
  expect(flagged![0]).toMatchObject({ status: "flagged", verdict: { pass: false, rules: [{ name: "No BAD", triggered: true }] } });
});

test("with Wait for Final Step, Gate on Verdict is not offered: one output, no sync sent, the log stays pending", async () => {
  const description = types.nodeTypes.getByNameAndVersion(NODE).description;
  const gates = description.properties.filter((p) => p.name === "gate");
  expect(gates.map((p) => p.displayOptions?.show)).toEqual([
    { resource: ["log"], operation: ["create"], awaitFinalStep: [false] },
    { resource: ["trace"], operation: ["addStep"], final: [true] },
  ]);
  // Output is required only without Wait for Final Step.
  const outputs = description.properties.filter((p) => p.name === "output" && p.displayOptions?.show?.resource?.[0] === "log");
  expect(outputs.map((p) => [p.displayOptions?.show?.awaitFinalStep, p.required ?? false])).toEqual([
    [[false], true],
    [[true], false],
  ]);

  const result = await runWorkflow({
    types,
    nodes: [
      { id: "start", name: "Start", type: START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: "[{}]" } },
      node("Log", 200, { resource: "log", operation: "create", project: "n8n-trace", awaitFinalStep: true, gate: true }),
    ],
    connections: { Start: { main: [[{ node: "Log", type: "main" as const, index: 0 }]] } },
    credentials: traciraCredentials(backend),
  });
  expect(result.errorOf("Log")).toBeUndefined();
  const outputs0 = result.outputs("Log");
  expect(outputs0).toHaveLength(1);
  expect(outputs0[0]).toEqual([{ ok: true, id: expect.any(String), status: "pending" }]);
});

test("Trace Parent sends the traceparent header: the log is linked to that trace", async () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const result = await runWorkflow({
    types,
    nodes: [
      {
        id: "start",
        name: "Start",
        type: START_NODE_TYPE,
        typeVersion: 1,
        position: [0, 0],
        parameters: { items: JSON.stringify([{ headers: { traceparent } }]) },
      },
      node("Log", 200, {
        resource: "log",
        operation: "create",
        project: "n8n-trace",
        output: "Linked.",
        additionalFields: { traceparent: "={{ $json.headers.traceparent }}" },
      }),
    ],
    connections: { Start: { main: [[{ node: "Log", type: "main" as const, index: 0 }]] } },
    credentials: traciraCredentials(backend),
  });
  expect(result.errorOf("Log")).toBeUndefined();
  const id = String(result.outputs("Log")[0]![0]!.id);
  const stored = await backend.call("GET", `/api/logs/${encodeURIComponent(id)}`);
  expect(stored.body.linkedTrace).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" });
  // traceparent is a header, not a body field of the log.
  expect(stored.body.metadata ?? {}).not.toHaveProperty("traceparent");
});

test("an unknown log id is Tracira's 404 sentence on the Add Step node", async () => {
  const result = await runWorkflow({
    types,
    nodes: [
      { id: "start", name: "Start", type: START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: "[{}]" } },
      node("Step", 200, { resource: "trace", operation: "addStep", logId: "no-such-log", name: "Lost" }),
    ],
    connections: { Start: { main: [[{ node: "Step", type: "main" as const, index: 0 }]] } },
    credentials: traciraCredentials(backend),
  });
  expect(result.errorOf("Step")).toMatch(/not found|no log/i);
});
