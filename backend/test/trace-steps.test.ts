import { TraceDetail } from "@tracira/shared";
import { startTestServerOn, waitForFinal, type TestServer } from "./helpers/server";
import { forbidRefunds } from "./helpers/trace-ingest";

/**
 * Steps as no-code platforms add them (`POST /api/logs/:id/steps`, one flat step per request), and a run that
 * waits for its final step (`awaitFinalStep`): held pending, ended by the final step, its verdict answered
 * inline with `sync` or reached by the worker.
 */
jest.setTimeout(60_000);

let server: TestServer;

beforeAll(async () => {
  server = await startTestServerOn("postgres");
  await forbidRefunds(server, "steps");
});
afterAll(() => server?.close());

const startRun = async (extra: Record<string, unknown> = {}) => {
  const res = await server.call("POST", "/api/logs", { project: "steps", task: "reply", awaitFinalStep: true, ...extra });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ ok: true, status: "pending" });
  return res.body.id as string;
};
const step = (logId: string, body: Record<string, unknown>) => server.call("POST", `/api/logs/${logId}/steps`, body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a run of three steps is held until its final step, which answers the verdict inline and brings the output", async () => {
  const id = await startRun();
  const root = await step(id, { kind: "agent", name: "Support run", input: "Where is my order?", status: "running" });
  expect(root.status).toBe(200);
  expect(root.body).toMatchObject({ ok: true, traceId: id, spanCount: 1, final: false });
  const rootId = root.body.stepId as string;
  expect(rootId).toMatch(/^[0-9a-f-]{36}$/);

  const lookup = await step(id, {
    kind: "tool",
    name: "Look up order",
    parentStepId: rootId,
    output: { order: "shipped" },
    durationMs: 120,
  });
  expect(lookup.body).toMatchObject({ spanCount: 2, final: false });

  // The worker runs in this server: a held run stays pending however long it waits for its end.
  await sleep(400);
  expect((await server.call("GET", `/api/logs/${id}/status`)).body.status).toBe("pending");

  const reply = await step(id, {
    id: "draft-1",
    kind: "llm",
    name: "Draft reply",
    parentStepId: rootId,
    model: "gpt-4o-mini",
    provider: "openai",
    inputTokens: "812",
    outputTokens: 64,
    costUsd: "0.0012",
    output: "Sorry for the delay, we will send you a full refund.",
    final: true,
    sync: "true",
  });
  expect(reply.status).toBe(200);
  expect(reply.body).toMatchObject({
    ok: true,
    traceId: id,
    stepId: "draft-1",
    spanCount: 3,
    final: true,
    status: "flagged",
    verdict: { pass: false, rules: [{ name: "No refunds promised", triggered: true }] },
  });

  const log = (await server.call("GET", `/api/logs/${id}`)).body;
  expect(log).toMatchObject({
    status: "flagged",
    output: "Sorry for the delay, we will send you a full refund.",
    model: "gpt-4o-mini",
    costUsd: 0.0012,
  });
  const trace = TraceDetail.parse((await server.call("GET", `/api/traces/${id}`)).body);
  expect(trace.spans.map((s) => [s.name, s.kind, s.parent_span_id])).toEqual([
    ["Support run", "agent", null],
    ["Look up order", "tool", rootId],
    ["Draft reply", "llm", rootId],
  ]);
  expect(trace.spans[2]).toMatchObject({ model: "gpt-4o-mini", input_tokens: 812, output_tokens: 64, cost_usd: 0.0012, status: "ok" });
  expect(trace.spans[0]!.status).toBe("running");
  expect(trace.spans[1]!.duration_ms).toBe(120);
});

test("without sync the final step hands the run to the worker; a step sent again by id updates it", async () => {
  const id = await startRun({ output: "Your order ships today." });
  const first = await step(id, { id: "s1", kind: "llm", name: "Answer", output: "draft" });
  const again = await step(id, { id: "s1", kind: "llm", name: "Answer", output: "final text", status: "error", error: "model timed out" });
  expect(again.body).toMatchObject({ spanCount: first.body.spanCount, stepId: "s1" });
  const ended = await step(id, { name: "Done", kind: "chain", final: true });
  expect(ended.body).toMatchObject({ final: true, spanCount: 2 });
  expect(ended.body.status).toBeUndefined();
  expect(await waitForFinal(server.call, id)).toBe("pass");
  // The log's own output is kept: the steps' outputs only fill a run started without one.
  expect((await server.call("GET", `/api/logs/${id}`)).body.output).toBe("Your order ships today.");
  const trace = TraceDetail.parse((await server.call("GET", `/api/traces/${id}`)).body);
  expect(trace.spans.find((s) => s.id === "s1")).toMatchObject({
    output: "final text",
    status: "error",
    error: { message: "model timed out" },
  });
});

test("a final step on a log that is not held adds the step and answers the stored verdict", async () => {
  const res = await server.call("POST", "/api/logs", { project: "steps", output: "All good.", sync: true });
  expect(res.body.status).toBe("pass");
  const ended = await step(res.body.id, { name: "late", final: true, sync: true });
  expect(ended.body).toMatchObject({ final: true, status: "pass", spanCount: 1 });
});

test("mistakes answer what to fix and store nothing", async () => {
  const missingOutput = await server.call("POST", "/api/logs", { project: "steps" });
  expect(missingOutput.status).toBe(400);
  expect(missingOutput.body.fields.output).toMatch(/output is required/);

  const both = await server.call("POST", "/api/logs", { project: "steps", awaitFinalStep: true, sync: true });
  expect(both.status).toBe(400);
  expect(both.body.fields.sync).toMatch(/final step/);

  const id = await startRun();
  const syncNotFinal = await step(id, { name: "x", sync: true });
  expect(syncNotFinal.status).toBe(400);
  expect(syncNotFinal.body).toMatchObject({ code: "invalid_request", fields: { sync: expect.stringMatching(/final/) } });
  const noName = await step(id, { kind: "llm" });
  expect(noName.body.fields.name).toMatch(/name is required/);
  const badKind = await step(id, { name: "x", kind: "robot" });
  expect(Object.keys(badKind.body.fields)).toEqual(["kind"]);
  expect((await server.call("GET", `/api/traces/${id}`)).body.spans).toEqual([]);

  expect((await step("no-such-log", { name: "x" })).status).toBe(404);
  const other = await server.newWorkspace();
  expect((await server.call("POST", `/api/logs/${id}/steps`, { name: "x" }, { token: other })).status).toBe(404);
});

test("a W3C traceparent (header or body) links the log to that trace; a malformed header is ignored", async () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const fromHeader = await server.call(
    "POST",
    "/api/logs",
    { project: "steps", output: "linked" },
    { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
  );
  expect((await server.call("GET", `/api/logs/${fromHeader.body.id}`)).body.linkedTrace).toEqual({ traceId, spanId: "00f067aa0ba902b7" });

  const fromBody = await server.call("POST", "/api/logs", {
    project: "steps",
    output: "linked",
    traceparent: `00-${traceId}-b7ad6b7169203331-01`,
  });
  expect((await server.call("GET", `/api/logs/${fromBody.body.id}`)).body.linkedTrace).toEqual({ traceId, spanId: "b7ad6b7169203331" });

  const badBody = await server.call("POST", "/api/logs", { project: "steps", output: "x", traceparent: "not-a-traceparent" });
  expect(badBody.status).toBe(400);
  expect(badBody.body.fields.traceparent).toMatch(/W3C traceparent/);

  const badHeader = await server.call("POST", "/api/logs", { project: "steps", output: "x" }, { headers: { traceparent: "garbage" } });
  expect(badHeader.status).toBe(200);
  expect((await server.call("GET", `/api/logs/${badHeader.body.id}`)).body.linkedTrace).toBeNull();
});

describe("a run whose final step never comes", () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startTestServerOn("postgres", { TRACIRA_FINAL_STEP_WAIT_MS: "1500" });
  });
  afterAll(() => short?.close());

  test("is evaluated with the output its steps got to once TRACIRA_FINAL_STEP_WAIT_MS runs out", async () => {
    const rule = await short.call("POST", "/api/rules", {
      name: "No refunds",
      type: "keyword_forbidden",
      value: "refund",
      projectName: "steps",
    });
    expect(rule.status).toBe(201);
    const res = await short.call("POST", "/api/logs", { project: "steps", awaitFinalStep: true });
    const add = (body: Record<string, unknown>) => short.call("POST", `/api/logs/${res.body.id}/steps`, body);
    await add({ kind: "llm", name: "Draft", output: "A first draft." });
    await add({ kind: "tool", name: "Look up", output: "not an answer" });
    await add({ kind: "llm", name: "Answer", output: "You will get a refund." });
    expect(await waitForFinal(short.call, res.body.id, 20_000)).toBe("flagged");
    expect((await short.call("GET", `/api/logs/${res.body.id}`)).body.output).toBe("You will get a refund.");
  });
});
