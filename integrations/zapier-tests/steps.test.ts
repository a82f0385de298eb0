/**
 * A run traced step by step from a Zap: Log Execution with Wait for Final Step, then Add Step to Trace three
 * times (a parent and two children), the last one final and waiting for the verdict, run by
 * zapier-platform-core's appTester on the built app against the built backend.
 */
import { expectThreeStepTrace, STEPS } from "../n8n-tests/helpers/trace";
import { App, appTester, bundleFor, startBackend, type Backend } from "./helpers/zapier";

const PROJECT = "zapier-trace";
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
  expect((await backend.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
});
afterAll(async () => {
  await backend?.close();
});

const logExecution = App.creates.log_execution.operation;
const addStep = App.creates.add_step.operation;

/** Log Execution (Wait for Final Step, no Output) → plan → draft (LLM) → check (final, Wait for Verdict): the last step's answer. */
async function tracedRun(finalOutput: string) {
  const logged = await appTester(logExecution.perform, bundleFor(backend, { inputData: { project: PROJECT, awaitFinalStep: "true" } }));
  expect(logged).toMatchObject({ id: expect.any(String), status: "pending", verdict_pass: null });
  const step = (inputData: Record<string, unknown>) =>
    appTester(addStep.perform, bundleFor(backend, { inputData: { log_id: logged.id, ...inputData } }));

  const plan = await step({ stepId: STEPS.plan.id, kind: STEPS.plan.kind, name: STEPS.plan.name, input: "Can I get a refund?" });
  expect(plan).toEqual({
    id: STEPS.plan.id,
    step_id: STEPS.plan.id,
    log_id: logged.id,
    trace_id: expect.any(String),
    span_count: 1,
    final: false,
    status: "",
    verdict_pass: null,
    triggered_rules: "",
    triggered_rule_count: 0,
    explanation: "",
    confidence_score: null,
  });
  // Zapier's number fields arrive as text; Kind left empty takes its default (llm) on the server.
  await step({
    stepId: STEPS.draft.id,
    parentStepId: STEPS.plan.id,
    name: STEPS.draft.name,
    model: STEPS.draft.model,
    inputTokens: String(STEPS.draft.inputTokens),
    outputTokens: String(STEPS.draft.outputTokens),
    costUsd: String(STEPS.draft.costUsd),
    kind: STEPS.draft.kind,
    output: finalOutput,
  });
  const check = await step({
    stepId: STEPS.check.id,
    parentStepId: STEPS.plan.id,
    kind: STEPS.check.kind,
    name: STEPS.check.name,
    output: finalOutput,
    final: "true",
    sync: "true",
  });
  return { logId: String(logged.id), check };
}

test("Wait for Final Step, three steps, the final one waits: the flat verdict, and the trace holds the three steps", async () => {
  const { logId, check } = await tracedRun("Refunds take 5 days.");
  expect(check).toEqual({
    id: STEPS.check.id,
    step_id: STEPS.check.id,
    log_id: logId,
    trace_id: expect.any(String),
    span_count: 3,
    final: true,
    status: "pass",
    verdict_pass: true,
    triggered_rules: "",
    triggered_rule_count: 0,
    explanation: expect.any(String),
    confidence_score: expect.any(Number),
  });
  await expectThreeStepTrace(backend, logId);
  const stored = (await backend.call("GET", `/api/logs/${encodeURIComponent(logId)}`)).body;
  expect(stored).toMatchObject({ status: "pass", output: "Refunds take 5 days.", projectName: PROJECT });
});

test("a flagged run: verdict_pass false and the triggered rule named, for Filter and Paths", async () => {
  const { check } = await tracedRun("This is BAD.");
  expect(check).toMatchObject({ final: true, status: "flagged", verdict_pass: false, triggered_rules: "No BAD", triggered_rule_count: 1 });
});

test("the sample and output fields name the same keys the step outputs", async () => {
  const keys = addStep.outputFields.map((f: { key: string }) => f.key);
  expect(Object.keys(addStep.sample).sort()).toEqual([...keys].sort());
});

test("dynamic fields: Wait for Verdict only on a final step; Log Execution's Output optional and no Wait for Verdict while waiting for the final step", () => {
  const fieldsOf = (operation: { inputFields: unknown[] }, inputData: Record<string, unknown>) =>
    operation.inputFields.flatMap((field) =>
      typeof field === "function"
        ? (field as (z: unknown, bundle: unknown) => { key: string; required?: boolean }[])({}, { inputData })
        : [field],
    ) as { key: string; required?: boolean }[];
  const keys = (fields: { key: string }[]) => fields.map((f) => f.key);

  expect(keys(fieldsOf(addStep, {}))).not.toContain("sync");
  expect(keys(fieldsOf(addStep, { final: "true" }))).toContain("sync");
  expect(addStep.inputFields.find((f: { key?: string }) => f.key === "final")).toMatchObject({ altersDynamicFields: true });

  const plain = fieldsOf(logExecution, {});
  expect(plain.find((f) => f.key === "output")).toMatchObject({ required: true });
  expect(keys(plain)).toContain("sync");
  const awaiting = fieldsOf(logExecution, { awaitFinalStep: true });
  expect(awaiting.find((f) => f.key === "output")).toMatchObject({ required: false });
  expect(keys(awaiting)).not.toContain("sync");
});

test("Wait for Final Step with Wait for Verdict (a mapped value) is Tracira's 400, naming sync", async () => {
  await expect(
    appTester(logExecution.perform, bundleFor(backend, { inputData: { project: PROJECT, awaitFinalStep: "true", sync: "true" } })),
  ).rejects.toThrow(/sync/);
});

test("an unknown Log ID is Tracira's 404 message", async () => {
  await expect(appTester(addStep.perform, bundleFor(backend, { inputData: { log_id: "no-such-log", name: "Lost" } }))).rejects.toThrow(
    /not found|no log/i,
  );
});
