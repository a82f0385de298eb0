import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { LangSmithInfo, LangSmithRun, TraceDetail } from "@tracira/shared";
import { mapRuns } from "../src/services/traces/langsmith/map";
import { FAST_DELIVERIES, sleep } from "./helpers/deliveries";
import { startReceiver, type Receiver } from "./helpers/receiver";
import { startTestServerOn, waitForFinal, type TestServer } from "./helpers/server";
import { forbidRefunds, hookFlagged } from "./helpers/trace-ingest";

/**
 * LangSmith-compatible ingest with the real `langsmith` client and a real LangChain runnable (prompt template →
 * chat model → output parser) traced by LangChainTracer, in its own process, into the running server: each
 * upload the client can choose (multipart with gzip, plain multipart, JSON batch, one request per run), the
 * workspace's keyword rule and a hook.
 */
jest.setTimeout(90_000);

const run = promisify(execFile);
const FIXTURE = path.join(__dirname, "fixtures", "langchain-chain.mjs");
const PROJECT = "support-bot";

let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  server = await startTestServerOn("postgres", { TRACIRA_OTLP_ROOT_WAIT_MS: "60000", ...FAST_DELIVERIES });
  receiver = await startReceiver();
  await forbidRefunds(server, PROJECT);
  await hookFlagged(server, receiver.url);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const api = () => `${server.url}/api/langsmith`;

/** The LangChain app in its own process (backend/test/fixtures/langchain-chain.mjs): answers the root run's id. */
async function traceChain(mode: string, answer: string, env: Record<string, string> = {}): Promise<string> {
  const started = Date.now();
  const { stdout } = await run(process.execPath, [FIXTURE, mode, api(), server.token, PROJECT, answer], {
    timeout: 60_000,
    // Nothing from the environment traces elsewhere: the app names its client, its URL and its key itself.
    env: { PATH: process.env.PATH, ...env },
  });
  // eslint-disable-next-line no-console
  console.log(`langsmith ${mode}: chain traced and uploaded in ${Date.now() - started} ms`);
  return stdout.trim();
}

/** LangSmith's dotted_order segment for a run: its start (microseconds, no separators) and its id. */
const SEGMENT = /^\d{8}T\d{12}Z[0-9a-f-]{36}$/;

describe.each([
  ["multipart with gzip (the client as it comes)", "multipart-gzip", {}],
  ["multipart, uncompressed and streamed", "multipart", { LANGSMITH_DISABLE_RUN_COMPRESSION: "true" }],
  ["JSON batch (POST /runs/batch)", "batch", { LANGSMITH_DISABLE_RUN_COMPRESSION: "true" }],
  ["one request per run (POST /runs, PATCH /runs/:id)", "runs", {}],
] as const)("LangChainTracer → %s", (_name, mode, env) => {
  test("the chain is a trace of its run tree with kinds, model and tokens; the keyword rule flags it and the hook hears it", async () => {
    const answer = `We will send you a full refund today (${mode}).`;
    const traceId = await traceChain(mode, answer, env);
    expect(traceId).toMatch(/^[0-9a-f-]{36}$/);

    expect(await waitForFinal(server.call, traceId, 30_000)).toBe("flagged");
    const res = await server.call("GET", `/api/traces/${traceId}`);
    expect(res.status).toBe(200);
    const detail = TraceDetail.parse(res.body);
    expect(detail.trace).toMatchObject({
      id: traceId,
      name: "support-turn",
      status: "ok",
      total_input_tokens: 42,
      total_output_tokens: 17,
    });
    expect(detail.spans.map((s) => [s.name, s.kind, s.parent_span_id])).toEqual([
      ["support-turn", "chain", null],
      ["ChatPromptTemplate", "chain", traceId],
      ["MeteredFakeChatModel", "llm", traceId],
      ["StrOutputParser", "chain", traceId],
    ]);
    const [root, prompt, llm, parser] = detail.spans;
    // The client's own dotted_order, kept: the root's segment, then each step's under it.
    expect(root!.dotted_order).toMatch(SEGMENT);
    expect(root!.dotted_order.endsWith(traceId)).toBe(true);
    for (const step of [prompt!, llm!, parser!]) {
      const [parent, own, ...more] = step.dotted_order.split(".");
      expect([parent, more]).toEqual([root!.dotted_order, []]);
      expect(own).toMatch(SEGMENT);
      expect(own!.endsWith(step.id)).toBe(true);
    }
    expect(llm).toMatchObject({
      provider: "fake",
      model: "fake-support-1",
      input_tokens: 42,
      output_tokens: 17,
      status: "ok",
      event_type: "llm_call",
      output: { role: "assistant", content: answer },
    });
    expect(llm!.input).toEqual([
      { role: "system", content: "You are the support agent of an online shop." },
      { role: "user", content: "My parcel never came. What now?" },
    ]);
    expect(root).toMatchObject({ input: { question: "My parcel never came. What now?" }, output: answer, status: "ok" });
    expect(parser!.input).toEqual({ role: "assistant", content: answer });
    expect(detail.evaluations).toContainEqual(expect.objectContaining({ evaluator: "rule.keyword_forbidden", label: "fail" }));

    const log = await server.call("GET", `/api/logs/${traceId}`);
    expect(log.body).toMatchObject({ projectName: PROJECT, output: answer, model: "fake-support-1", status: "flagged" });
    // The gate's answer for the trace (a sync call naming its id answers the stored verdict), as a workflow gating on it reads it.
    const gate = await server.call("POST", "/api/logs", { id: traceId, project: PROJECT, output: answer, sync: true });
    expect(gate.body).toMatchObject({
      ok: true,
      id: traceId,
      status: "flagged",
      verdict: { pass: false, rules: [{ name: "No refunds promised", triggered: true }] },
    });
    await receiver.waitFor((got) =>
      got.some((r) => r.path === "/flagged" && r.body?.id === traceId && r.body?.hookEvent === "log.flagged"),
    );
  });
});

/** A LangSmith run as the client posts it, started `ms` after a fixed instant. */
function runAt(id: string, traceId: string, ms: number, fields: Record<string, unknown> = {}) {
  const start = new Date(Date.UTC(2026, 4, 1, 12, 0, 0, ms));
  const segment = (at: Date, runId: string) => `${at.toISOString().replace(/[-:.]/g, "").replace("Z", "000Z")}${runId}`;
  const rootSegment = segment(new Date(Date.UTC(2026, 4, 1, 12, 0, 0, 0)), traceId);
  return {
    id,
    trace_id: traceId,
    start_time: start.toISOString(),
    dotted_order: id === traceId ? rootSegment : `${rootSegment}.${segment(start, id)}`,
    ...(id === traceId ? {} : { parent_run_id: traceId }),
    ...fields,
  };
}

const send = (method: string, route: string, body: unknown, key: string | null = server.token) =>
  fetch(`${api()}${route}`, {
    method,
    headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) },
    body: JSON.stringify(body),
  });

test("GET /info tells the client to upload multipart with gzip, within the server's body limit", async () => {
  const res = await fetch(`${api()}/info`);
  expect(res.status).toBe(200);
  const info = LangSmithInfo.parse(await res.json());
  expect(info.batch_ingest_config).toMatchObject({ use_multipart_endpoint: true, size_limit: 1000 });
  expect(info.batch_ingest_config.size_limit_bytes).toBeGreaterThan(0);
  expect(info.instance_flags).toEqual({ gzip_body_enabled: true, zstd_compression_enabled: false });
});

test("a root run posted open holds its trace until the patch that ends it, whose final AI message is the output; patching again changes nothing twice", async () => {
  const traceId = randomUUID();
  const child = randomUUID();
  const root = runAt(traceId, traceId, 0, { name: "agent", run_type: "chain", session_name: "held", inputs: { input: "hi" } });
  expect((await send("POST", "/runs", root)).status).toBe(202);
  const step = runAt(child, traceId, 100, {
    name: "lookup",
    run_type: "retriever",
    end_time: Date.UTC(2026, 4, 1, 12, 0, 0, 400),
    outputs: { documents: [{ page_content: "Orders ship in 2 days." }] },
    error: "TimeoutError: index slow\n    at search (index.js:1:1)",
  });
  expect((await send("POST", "/runs/batch", { post: [step] })).status).toBe(202);
  await sleep(1_000);
  expect((await server.call("GET", `/api/logs/${traceId}/status`)).body.status).toBe("pending");

  // An agent's state: the log's output is its final AI message.
  const message = (cls: string, content: string) => ({
    lc: 1,
    type: "constructor",
    id: ["langchain_core", "messages", cls],
    kwargs: { content },
  });
  const messages = [message("HumanMessage", "hi"), message("AIMessage", "Your order ships in two days.")];
  const end = { end_time: Date.UTC(2026, 4, 1, 12, 0, 1, 0), outputs: { messages } };
  const patched = await send("PATCH", `/runs/${traceId}`, { ...root, ...end });
  expect(patched.status).toBe(202);
  expect(await patched.json()).toEqual({ ok: true, runs: 1, traces: 1 });
  expect(await waitForFinal(server.call, traceId)).toBe("pass");
  expect((await send("PATCH", `/runs/${traceId}`, { ...root, ...end })).status).toBe(202);

  const log = await server.call("GET", `/api/logs/${traceId}`);
  expect(log.body).toMatchObject({ projectName: "held", output: "Your order ships in two days.", status: "pass" });
  const detail = TraceDetail.parse((await server.call("GET", `/api/traces/${traceId}`)).body);
  expect(detail.spans.map((s) => [s.name, s.kind, s.status])).toEqual([
    ["agent", "chain", "ok"],
    ["lookup", "tool", "error"],
  ]);
  expect(detail.spans[0]!.output).toEqual({
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: "Your order ships in two days." },
    ],
  });
  expect(detail.spans[1]).toMatchObject({ error: { message: "TimeoutError: index slow" }, duration_ms: 300 });
  expect(detail.trace).toMatchObject({ duration_ms: 1000, status: "error" });
});

test("a bare update that comes before its run stands in for it; the run, when it comes, gives the span its name and kind", async () => {
  const traceId = randomUUID();
  const child = randomUUID();
  const full = runAt(child, traceId, 50, { name: "ChatOpenAI", run_type: "llm", inputs: { prompts: ["Hi"] } });
  const bare = {
    trace_id: traceId,
    parent_run_id: traceId,
    dotted_order: full.dotted_order,
    end_time: Date.UTC(2026, 4, 1, 12, 0, 0, 250),
    outputs: { generations: [[{ text: "Hello!" }]], llm_output: { token_usage: { prompt_tokens: 5, completion_tokens: 2 } } },
  };
  expect((await send("PATCH", `/runs/${child}`, bare)).status).toBe(202);
  const early = TraceDetail.parse((await server.call("GET", `/api/traces/${traceId}`)).body);
  expect(early.spans.map((s) => [s.name, s.kind, s.started_at])).toEqual([[child, "chain", "2026-05-01T12:00:00.050Z"]]);

  const root = runAt(traceId, traceId, 0, { name: "turn", run_type: "chain", end_time: Date.UTC(2026, 4, 1, 12, 0, 0, 300) });
  expect((await send("POST", "/runs/batch", { post: [full, root] })).status).toBe(202);
  expect(await waitForFinal(server.call, traceId)).toBe("pass");
  const detail = TraceDetail.parse((await server.call("GET", `/api/traces/${traceId}`)).body);
  expect(detail.spans.map((s) => [s.name, s.kind, s.event_type])).toEqual([
    ["turn", "chain", "state_change"],
    ["ChatOpenAI", "llm", "llm_call"],
  ]);
  expect(detail.spans[1]).toMatchObject({
    input: "Hi",
    output: "Hello!",
    input_tokens: 5,
    output_tokens: 2,
    duration_ms: 200,
    status: "ok",
  });
  expect(detail.trace).toMatchObject({ total_input_tokens: 5 });
  expect((await server.call("GET", `/api/logs/${traceId}`)).body).toMatchObject({ output: "Hello!", status: "pass" });
});

test("a wrong x-api-key is a 401; a malformed batch a 400 naming the run, and nothing of it is stored", async () => {
  const traceId = randomUUID();
  const wrong = await send(
    "POST",
    "/runs/batch",
    { post: [runAt(traceId, traceId, 0, { name: "r" })] },
    "wh-not-a-real-token-000000000000000",
  );
  expect(wrong.status).toBe(401);
  expect(await wrong.json()).toMatchObject({ code: "unauthorized", error: expect.any(String) });

  const bad = await send("POST", "/runs/batch", {
    post: [
      runAt(traceId, traceId, 0, { name: "fine", run_type: "chain" }),
      { ...runAt(randomUUID(), traceId, 5, { name: "late" }), start_time: "yesterday" },
    ],
    patch: [{ id: "not-a-uuid" }],
  });
  expect(bad.status).toBe(400);
  const body = (await bad.json()) as { error: string; code: string; fields: Record<string, string> };
  expect(body).toMatchObject({ code: "invalid_request", error: expect.any(String) });
  expect(Object.keys(body.fields).sort()).toEqual(["patch.0.id", "post.1.start_time"]);
  expect((await server.call("GET", `/api/logs/${traceId}`)).status).toBe(404);

  const notJson = await fetch(`${api()}/runs/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": server.token },
    body: "{post:",
  });
  expect(notJson.status).toBe(400);
  expect(await notJson.json()).toMatchObject({ code: "invalid_request", fields: { body: expect.any(String) } });
});

test("multipart sent by hand: a run's parts are joined; a part that is not JSON is a 400 naming it", async () => {
  const traceId = randomUUID();
  const form = (parts: [string, string][]) => {
    const data = new FormData();
    for (const [name, value] of parts) data.append(name, new Blob([value], { type: "application/json" }));
    return data;
  };
  const post = (body: FormData) => fetch(`${api()}/runs/multipart`, { method: "POST", headers: { "x-api-key": server.token }, body });
  const root = runAt(traceId, traceId, 0, { name: "by-hand", run_type: "llm", end_time: Date.UTC(2026, 4, 1, 12, 0, 2, 0) });
  const ok = await post(
    form([
      [`post.${traceId}`, JSON.stringify(root)],
      [`post.${traceId}.inputs`, JSON.stringify({ prompts: ["Say hi"] })],
      [
        `post.${traceId}.outputs`,
        JSON.stringify({ generations: [[{ text: "hi there" }]], llm_output: { token_usage: { prompt_tokens: 3, completion_tokens: 2 } } }),
      ],
      [
        `post.${traceId}.extra`,
        JSON.stringify({ invocation_params: { model: "gpt-4o-mini", temperature: 0 }, metadata: { ls_provider: "openai" } }),
      ],
      [`feedback.${randomUUID()}`, JSON.stringify({ score: 1 })],
    ]),
  );
  expect(ok.status).toBe(202);
  expect(await waitForFinal(server.call, traceId)).toBe("pass");
  const detail = TraceDetail.parse((await server.call("GET", `/api/traces/${traceId}`)).body);
  expect(detail.spans).toHaveLength(1);
  expect(detail.spans[0]).toMatchObject({
    kind: "llm",
    input: "Say hi",
    output: "hi there",
    provider: "openai",
    model: "gpt-4o-mini",
    input_tokens: 3,
    output_tokens: 2,
  });
  expect(detail.spans[0]!.attributes).toMatchObject({ "llm.invocation_parameters": { model: "gpt-4o-mini", temperature: 0 } });
  expect((await server.call("GET", `/api/logs/${traceId}`)).body).toMatchObject({ projectName: "default", output: "hi there" });

  const other = randomUUID();
  const broken = await post(
    form([
      [`post.${other}`, JSON.stringify(runAt(other, other, 0, { name: "x" }))],
      [`post.${other}.outputs`, "{not json"],
    ]),
  );
  expect(broken.status).toBe(400);
  expect(await broken.json()).toMatchObject({ code: "invalid_request", fields: { [`post.${other}.outputs`]: "must be valid JSON" } });
  expect((await server.call("GET", `/api/logs/${other}`)).status).toBe(404);
});

test("a trace id another workspace holds refuses the whole request: neither of its traces is stored", async () => {
  const theirs = randomUUID();
  const other = await server.newWorkspace("LangSmith other");
  expect((await send("POST", "/runs", runAt(theirs, theirs, 0, { name: "theirs" }), other)).status).toBe(202);
  const mine = randomUUID();
  const res = await send("POST", "/runs/batch", {
    post: [runAt(mine, mine, 0, { name: "mine" }), runAt(theirs, theirs, 0, { name: "taken" })],
  });
  expect(res.status).toBe(409);
  expect(await res.json()).toMatchObject({ code: "conflict", fields: { trace_id: "already taken" } });
  expect((await server.call("GET", `/api/logs/${mine}`)).status).toBe(404);
  expect((await server.call("GET", `/api/traces/${theirs}`)).status).toBe(404);
});

describe("mapping (pure)", () => {
  const traceId = "0f8fad5b-d9cb-469f-a165-70867728950e";
  const one = (fields: Record<string, unknown>) =>
    mapRuns([{ label: "post.0", run: LangSmithRun.parse(runAt(traceId, traceId, 0, { name: "r", ...fields })) }], "default")[0]!;

  test.each([
    ["llm", "llm"],
    ["chain", "chain"],
    ["tool", "tool"],
    ["retriever", "tool"],
    ["embedding", "embedding"],
    ["prompt", "chain"],
    ["parser", "chain"],
    ["something_new", "chain"],
  ])("run_type %s is a %s span", (runType, kind) => {
    expect(one({ run_type: runType }).spans[0]!.kind).toBe(kind);
  });

  test("a JS client's llm_output.tokenUsage, invocation params' model_name, cached tokens; the thread and user from metadata", () => {
    const part = one({
      run_type: "llm",
      session_name: "bots",
      outputs: { generations: [[{ text: "ok" }]], llmOutput: { tokenUsage: { promptTokens: 9, completionTokens: 4 } } },
      extra: { invocation_params: { model_name: "claude-x" }, metadata: { thread_id: "t-1", user_id: "u-9" } },
    });
    expect(part).toMatchObject({ traceId, project: "bots", sessionId: "t-1", actorId: "u-9", fields: { name: "r", threadId: "t-1" } });
    expect(part.spans[0]).toMatchObject({ inputTokens: 9, outputTokens: 4, model: "claude-x", output: "ok" });
    const cached = one({
      extra: { metadata: { usage_metadata: { input_tokens: 10, output_tokens: 1, input_token_details: { cache_read: 6 } } } },
    });
    expect(cached.spans[0]).toMatchObject({ inputTokens: 10, outputTokens: 1, cachedInputTokens: 6 });
  });
});
