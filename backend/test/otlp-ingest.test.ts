import { gzipSync } from "node:zlib";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Root } from "protobufjs";
import { TraceDetail } from "@tracira/shared";
import { FAST_DELIVERIES } from "./helpers/deliveries";
import { startReceiver, type Receiver } from "./helpers/receiver";
import { startTestServerOn, waitForFinal, type TestServer } from "./helpers/server";
import { forbidRefunds, hookFlagged } from "./helpers/trace-ingest";
import { until } from "./helpers/until";
import { mapExport } from "../src/services/traces/otlp/map";

/**
 * OTLP/HTTP ingest with the real OpenTelemetry JS SDK: an instrumented process whose NodeTracerProvider's OTLP
 * exporters (protobuf, and JSON with gzip) point at the running server, GenAI-convention spans, the workspace's keyword rule and a hook.
 */
jest.setTimeout(60_000);

const run = promisify(execFile);
const FIXTURE = path.join(__dirname, "fixtures", "otel-agent-turn.mjs");

let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  server = await startTestServerOn("postgres", { TRACIRA_OTLP_ROOT_WAIT_MS: "60000", ...FAST_DELIVERIES });
  receiver = await startReceiver();
  await forbidRefunds(server, "support-agent");
  await hookFlagged(server, receiver.url);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const headers = () => ({ Authorization: `Bearer ${server.token}` });

/** An OTLP/JSON export of these spans, sent by hand (as a collector would), optionally gzipped. */
function exportJson(spans: unknown[], options: { token?: string; gzip?: boolean; serviceName?: string } = {}) {
  const resource = options.serviceName ? { attributes: [{ key: "service.name", value: { stringValue: options.serviceName } }] } : undefined;
  const json = JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] });
  return fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${options.token ?? server.token}`,
      "content-type": "application/json",
      ...(options.gzip ? { "content-encoding": "gzip" } : {}),
    },
    body: options.gzip ? gzipSync(json) : json,
  });
}

/** The SDK in its own process (backend/test/fixtures/otel-agent-turn.mjs): answers the exported trace id. */
async function exportAgentTurn(encoding: "proto" | "json-gzip", url: string, answer: string): Promise<string> {
  const { stdout } = await run(process.execPath, [FIXTURE, encoding, url, server.token, answer], { timeout: 45_000 });
  return stdout.trim();
}

describe.each([
  ["protobuf", "proto", "/v1/traces"],
  ["JSON, gzip", "json-gzip", "/api/otel/v1/traces"],
] as const)("the OTLP %s exporter", (_name, encoding, endpoint) => {
  test("a GenAI trace is stored with kinds, model and tokens mapped, flagged by the keyword rule, and the hook hears it", async () => {
    const answer = `We will send you a full refund today (${endpoint}).`;
    const traceId = await exportAgentTurn(encoding, `${server.url}${endpoint}`, answer);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    expect(await waitForFinal(server.call, traceId)).toBe("flagged");
    const res = await server.call("GET", `/api/traces/${traceId}`);
    expect(res.status).toBe(200);
    const detail = TraceDetail.parse(res.body);
    expect(detail.trace).toMatchObject({ id: traceId, name: "invoke_agent support", total_input_tokens: 520, total_output_tokens: 110 });
    expect(detail.spans.map((s) => [s.name, s.kind, s.parent_span_id === null])).toEqual([
      ["invoke_agent support", "agent", true],
      ["chat gpt-4o-mini", "llm", false],
      ["execute_tool lookup_order", "tool", false],
      ["chat claude", "llm", false],
    ]);
    const [, plan, tool, reply] = detail.spans;
    expect(plan).toMatchObject({ provider: "openai", model: "gpt-4o-mini-2024-07-18", input_tokens: 120, output_tokens: 30 });
    expect(plan!.input).toEqual([{ role: "user", parts: [{ type: "text", content: "Where is my order?" }] }]);
    expect(reply).toMatchObject({ provider: "anthropic", model: "claude-haiku-4-5", input_tokens: 400, output_tokens: 80 });
    expect(tool).toMatchObject({ status: "error", error: { message: "order service slow" }, event_type: "error" });
    expect(reply!.parent_span_id).toBe(tool!.id);
    expect(detail.evaluations).toContainEqual(expect.objectContaining({ evaluator: "rule.keyword_forbidden", label: "fail" }));

    const log = await server.call("GET", `/api/logs/${traceId}`);
    expect(log.body).toMatchObject({ projectName: "support-agent", output: answer, sessionId: "sess-otlp", status: "flagged" });
    const list = await server.call("GET", `/api/traces?agent_id=agent-7`);
    expect(list.body.traces.map((t: { id: string }) => t.id)).toContain(traceId);

    await receiver.waitFor((got) =>
      got.some((r) => r.path === "/flagged" && r.body?.id === traceId && r.body?.hookEvent === "log.flagged"),
    );
  });
});

test("children exported before their root wait for it; the root's arrival settles the output and starts the evaluation", async () => {
  const traceId = "5b8efff798038103d269b633813fc60c";
  const span = (spanId: string, parentSpanId: string, name: string, attrs: Record<string, string>, startS: number, endS: number) => ({
    traceId,
    spanId,
    parentSpanId,
    name,
    startTimeUnixNano: String(BigInt(1_780_000_000 + startS) * 1_000_000_000n),
    endTimeUnixNano: String(BigInt(1_780_000_000 + endS) * 1_000_000_000n),
    attributes: Object.entries(attrs).map(([key, value]) => ({ key, value: { stringValue: value } })),
  });
  const send = (spans: unknown[]) => exportJson(spans, { gzip: true, serviceName: "support-agent" });
  const child = await send([
    span(
      "00f067aa0ba902b7",
      "1111111111111111",
      "chat",
      { "gen_ai.operation.name": "chat", "gen_ai.completion": "A full refund is on its way." },
      1,
      2,
    ),
  ]);
  expect(child.status).toBe(200);
  expect(await child.json()).toEqual({});
  // Without its root the trace waits (the worker runs, but the log is held).
  await new Promise((r) => setTimeout(r, 1_000));
  expect((await server.call("GET", `/api/logs/${traceId}/status`)).body.status).toBe("pending");

  const root = await send([
    span(
      "1111111111111111",
      "",
      "agent turn",
      { "gen_ai.operation.name": "invoke_agent", "output.value": "All good, nothing owed." },
      0,
      3,
    ),
  ]);
  expect(root.status).toBe(200);
  expect(await waitForFinal(server.call, traceId)).toBe("pass");
  const log = await server.call("GET", `/api/logs/${traceId}`);
  expect(log.body.output).toBe("All good, nothing owed.");
  const detail = TraceDetail.parse((await server.call("GET", `/api/traces/${traceId}`)).body);
  expect(detail.spans.map((s) => s.name)).toEqual(["agent turn", "chat"]);
  expect(detail.spans[1]!.dotted_order.startsWith(`${detail.spans[0]!.dotted_order}.`)).toBe(true);
});

test("partial success: a bad span is rejected alone and counted; no token is a 401; a broken protobuf a 400", async () => {
  const good = {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    name: "ok span",
    startTimeUnixNano: "1780000000000000000",
    endTimeUnixNano: "1780000001000000000",
  };
  const bad = { ...good, spanId: "xyz" };
  const res = await exportJson([good, bad]);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
  expect(body.partialSuccess.rejectedSpans).toBe("1");
  expect(body.partialSuccess.errorMessage).toMatch(/spanId must be 16 hex characters/);
  const stored = await server.call("GET", `/api/traces/${good.traceId}`);
  expect(stored.body.spans).toHaveLength(1);
  expect((await server.call("GET", `/api/logs/${good.traceId}`)).body.projectName).toBe("default");

  const anonymous = await fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: Buffer.from([]),
  });
  expect(anonymous.status).toBe(401);
  const broken = await fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: { ...headers(), "content-type": "application/x-protobuf" },
    body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
  });
  expect(broken.status).toBe(400);
  expect(await broken.json()).toMatchObject({ code: "invalid_request", fields: { body: expect.any(String) } });
});

test("a trace id another workspace holds is rejected for this one, and never shown to it", async () => {
  const other = await server.newWorkspace("OTLP other");
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const spans = [
    { traceId, spanId: "00f067aa0ba902b8", name: "root", startTimeUnixNano: "1780000000000000000", endTimeUnixNano: "1780000001000000000" },
  ];
  const mine = await exportJson(spans);
  expect(await mine.json()).toEqual({});
  const theirs = await exportJson(spans, { token: other });
  expect(((await theirs.json()) as { partialSuccess: { rejectedSpans: string } }).partialSuccess.rejectedSpans).toBe("1");
  const seen = await fetch(`${server.url}/api/traces/${traceId}`, { headers: { Authorization: `Bearer ${other}` } });
  expect(seen.status).toBe(404);
  await until("the first workspace's trace evaluated", async () =>
    (await server.call("GET", `/api/logs/${traceId}/status`)).body.status !== "pending" ? true : undefined,
  );
});

describe("mapping (pure)", () => {
  const kv = (attrs: Record<string, string | number>) =>
    Object.entries(attrs).map(([key, value]) => ({
      key,
      value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value },
    }));
  const one = (attrs: Record<string, string | number>, extra: Record<string, unknown> = {}) =>
    mapExport(
      {
        resourceSpans: [
          {
            resource: { attributes: kv({ "service.name": "unknown_service:node", "tracira.project": "picked" }) },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: "A".repeat(32),
                    spanId: "B".repeat(16),
                    name: "step",
                    startTimeUnixNano: "1780000000000000000",
                    endTimeUnixNano: "1780000000500000000",
                    attributes: kv(attrs),
                    ...extra,
                  },
                ],
              },
            ],
          },
        ],
      },
      "default",
    );

  test.each([
    [{ "openinference.span.kind": "LLM" }, "llm"],
    [{ "openinference.span.kind": "RETRIEVER" }, "tool"],
    [{ "openinference.span.kind": "EMBEDDING" }, "embedding"],
    [{ "openinference.span.kind": "GUARDRAIL" }, "guardrail"],
    [{ "openinference.span.kind": "AGENT" }, "agent"],
    [{ "gen_ai.operation.name": "embeddings" }, "embedding"],
    [{ "gen_ai.operation.name": "execute_tool" }, "tool"],
    [{ "mcp.method.name": "tools/call" }, "mcp"],
    [{ "tracira.span.kind": "condition" }, "condition"],
    [{}, "chain"],
  ])("%j is a %s span", (attrs, kind) => {
    expect(one(attrs).traces[0]!.spans[0]!.kind).toBe(kind);
  });

  test("OpenInference's model, tokens, input and output; ids lower-cased; the project from tracira.project", () => {
    const { traces } = one({
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4.1",
      "llm.provider": "openai",
      "llm.token_count.prompt": 11,
      "llm.token_count.completion": 7,
      "llm.token_count.prompt_details.cache_read": 3,
      "input.value": "hi",
      "output.value": '{"answer":"hello"}',
    });
    expect(traces[0]).toMatchObject({ traceId: "a".repeat(32), project: "picked" });
    expect(traces[0]!.spans[0]).toMatchObject({
      id: "b".repeat(16),
      model: "gpt-4.1",
      provider: "openai",
      inputTokens: 11,
      outputTokens: 7,
      cachedInputTokens: 3,
      input: "hi",
      output: { answer: "hello" },
      status: "ok",
    });
    expect(traces[0]!.spans[0]!.attributes).not.toHaveProperty("output.value");
  });

  test("an exception event and an error status make an error span", () => {
    const span = one(
      {},
      {
        status: { code: 2 },
        events: [{ name: "exception", attributes: kv({ "exception.type": "TimeoutError", "exception.message": "took too long" }) }],
      },
    ).traces[0]!.spans[0]!;
    expect(span).toMatchObject({ status: "error", error: { message: "took too long", type: "TimeoutError" } });
  });
});

test("protobuf: a bad span is rejected alone and the answer is an ExportTraceServiceResponse with its partial success", async () => {
  const root = new Root();
  root.resolvePath = (_origin, target) => path.join(__dirname, "..", "proto", target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto");
  const Request = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
  const Response = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse");
  const traceId = Buffer.from("7d1f8e2a9b3c4d5e6f708192a3b4c5d6", "hex");
  const span = (spanId: Buffer) => ({
    traceId,
    spanId,
    name: "proto span",
    startTimeUnixNano: "1780000000000000000",
    endTimeUnixNano: "1780000001000000000",
  });
  const body = Request.encode(
    Request.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans: [span(Buffer.from("c0ffee00c0ffee00", "hex")), span(Buffer.from([1, 2, 3]))] }] }],
    }),
  ).finish();
  const res = await fetch(`${server.url}/v1/traces`, {
    method: "POST",
    headers: { ...headers(), "content-type": "application/x-protobuf" },
    body,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/x-protobuf/);
  const answer = Response.toObject(Response.decode(new Uint8Array(await res.arrayBuffer())), { longs: String });
  expect(answer).toEqual({
    partialSuccess: { rejectedSpans: "1", errorMessage: expect.stringMatching(/spanId must be 16 hex characters/) },
  });
  const stored = await server.call("GET", "/api/traces/7d1f8e2a9b3c4d5e6f708192a3b4c5d6");
  expect(stored.body.spans.map((s: { id: string }) => s.id)).toEqual(["c0ffee00c0ffee00"]);
});
