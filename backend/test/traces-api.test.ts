import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

/** A log is a trace root: spans sent with it, and the trace API's view of them (peer-flapjack-logs-tracing's shapes). */
let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ DATABASE_URL: db.url, TRACIRA_WORKER: "false" });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const at = (s: number) => new Date(Date.UTC(2026, 4, 1, 12, 0, s)).toISOString();

/** agent → (llm, tool → llm): three levels, sent children first. */
const TREE = [
  {
    id: "llm-2",
    parentSpanId: "tool-1",
    kind: "llm",
    name: "summarize",
    startedAt: at(2),
    endedAt: at(3),
    provider: "openai",
    model: "gpt-4o-mini",
    inputTokens: 50,
    outputTokens: 20,
    costUsd: 0.001,
  },
  {
    id: "tool-1",
    parentSpanId: "agent-0",
    kind: "tool",
    name: "search",
    startedAt: at(1),
    endedAt: at(3),
    input: { q: "refund" },
    output: { hits: 3 },
  },
  {
    id: "llm-1",
    parentSpanId: "agent-0",
    kind: "llm",
    name: "plan",
    startedAt: at(0.5),
    endedAt: at(1),
    provider: "anthropic",
    model: "claude-haiku-4-5",
    inputTokens: 1200,
    outputTokens: 460,
    cachedInputTokens: 800,
    costUsd: 0.0224,
  },
  { id: "agent-0", kind: "agent", name: "agent-turn", startedAt: at(0), endedAt: at(4) },
];

const SPAN_KEYS = [
  "id",
  "trace_id",
  "parent_span_id",
  "kind",
  "name",
  "status",
  "started_at",
  "ended_at",
  "duration_ms",
  "provider",
  "model",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "cost_usd",
  "input",
  "output",
  "error",
  "attributes",
  "dotted_order",
  "event_type",
  "decision_kind",
].sort();
const TRACE_KEYS = [
  "id",
  "name",
  "status",
  "started_at",
  "ended_at",
  "duration_ms",
  "total_input_tokens",
  "total_output_tokens",
  "total_cost_usd",
  "tags",
  "metadata",
].sort();

test("a log with a three-level span tree: the trace's documented shape, rollups equal to the sums, spans in tree order", async () => {
  const sent = await server.call("POST", "/api/logs", {
    id: "trace-1",
    project: "traces",
    output: "Here is your refund status.",
    tags: ["production"],
    trace: { name: "chat-turn", agentId: "agent-7" },
    spans: TREE,
  });
  expect(sent).toMatchObject({ status: 200, body: { ok: true, id: "trace-1" } });

  const { status, body } = await server.call("GET", "/api/traces/trace-1");
  expect(status).toBe(200);
  expect(Object.keys(body).sort()).toEqual(["evaluations", "spans", "trace"]);
  expect(Object.keys(body.trace).sort()).toEqual(TRACE_KEYS);
  expect(body.trace).toMatchObject({
    id: "trace-1",
    name: "chat-turn",
    status: "ok",
    started_at: at(0),
    ended_at: at(4),
    duration_ms: 4000,
    total_input_tokens: 1250,
    total_output_tokens: 480,
    tags: ["production"],
  });
  expect(body.trace.total_cost_usd).toBeCloseTo(0.0234, 10);
  for (const span of body.spans) expect(Object.keys(span).sort()).toEqual(SPAN_KEYS);
  // Depth first: the agent, then its children by start time, each followed by its own children.
  expect(body.spans.map((s: { id: string }) => s.id)).toEqual(["agent-0", "llm-1", "tool-1", "llm-2"]);
  expect(body.spans.map((s: { dotted_order: string }) => s.dotted_order)).toEqual(
    [...body.spans.map((s: { dotted_order: string }) => s.dotted_order)].sort(),
  );
  const llm2 = body.spans.find((s: { id: string }) => s.id === "llm-2");
  expect(llm2).toMatchObject({
    trace_id: "trace-1",
    parent_span_id: "tool-1",
    kind: "llm",
    status: "ok",
    duration_ms: 1000,
    event_type: "llm_call",
  });
  expect(llm2.dotted_order.split(".")).toHaveLength(3);
  expect(body.spans.find((s: { id: string }) => s.id === "tool-1")).toMatchObject({
    input: { q: "refund" },
    output: { hits: 3 },
    event_type: "tool_call",
  });
  expect(body.evaluations).toEqual([]);

  // The log itself is unchanged by its spans: the same fields as a log without any.
  await server.call("POST", "/api/logs", { id: "plain-1", project: "traces", output: "No spans here." });
  const [withSpans, plain] = await Promise.all([server.call("GET", "/api/logs/trace-1"), server.call("GET", "/api/logs/plain-1")]);
  expect(Object.keys(withSpans.body).sort()).toEqual(Object.keys(plain.body).sort());
  expect(withSpans.body).toMatchObject({ id: "trace-1", output: "Here is your refund status.", status: "pending" });
});

test("a log without spans is a one-step trace", async () => {
  await server.call("POST", "/api/logs", { id: "one-step", project: "traces", task: "reply", output: "hi", latencyMs: 250 });
  const { body } = await server.call("GET", "/api/traces/one-step");
  expect(body.trace).toMatchObject({ id: "one-step", name: "reply", status: "ok", duration_ms: 250, total_input_tokens: 0 });
  expect(body.spans).toEqual([]);
});

test("bad spans are a 400 naming the field, and nothing is stored (neither the log nor any span)", async () => {
  const bad = [
    { spans: [{ id: "a", kind: "robot", name: "x", startedAt: at(0) }], field: /spans\.0\.kind/ },
    {
      spans: [
        { id: "a", kind: "llm", name: "x", startedAt: at(0) },
        { id: "a", kind: "llm", name: "y", startedAt: at(1) },
      ],
      field: /spans\.1\.id/,
    },
    {
      spans: [
        { id: "a", parentSpanId: "b", kind: "llm", name: "x", startedAt: at(0) },
        { id: "b", parentSpanId: "a", kind: "llm", name: "y", startedAt: at(1) },
      ],
      field: /spans/,
    },
    { spans: [{ id: "has space", kind: "llm", name: "x", startedAt: at(0) }], field: /spans\.0\.id/ },
    { spans: [{ id: "a", kind: "llm", name: "x" }], field: /spans\.0\.startedAt/ },
  ];
  for (const [i, { spans, field }] of bad.entries()) {
    const res = await server.call("POST", "/api/logs", { id: `bad-${i}`, project: "traces", output: "x", spans });
    expect({ i, status: res.status, code: res.body.code }).toEqual({ i, status: 400, code: "invalid_request" });
    expect(Object.keys(res.body.fields ?? {}).join(",")).toMatch(field);
    expect((await server.call("GET", `/api/logs/bad-${i}`)).status).toBe(404);
  }
});

test("another workspace's trace is a 404", async () => {
  const stranger = await server.newWorkspace("Stranger");
  expect((await server.call("GET", "/api/traces/trace-1", undefined, { token: stranger })).status).toBe(404);
  expect((await server.call("GET", "/api/traces/no-such-trace")).status).toBe(404);
});

test("appending out of order (child before parent, a span twice, an open span closed later) gives one consistent tree", async () => {
  expect((await server.call("POST", "/api/logs", { id: "stream-1", project: "traces", output: "streamed" })).status).toBe(200);
  const append = (spans: unknown[]) => server.call("POST", "/api/logs/stream-1/spans", { spans });

  // The grandchild first, its parent unknown yet; then the root, open.
  expect(
    (
      await append([
        { id: "c2", parentSpanId: "c1", kind: "llm", name: "inner", startedAt: at(2), endedAt: at(3), inputTokens: 10, outputTokens: 5 },
      ])
    ).status,
  ).toBe(200);
  expect((await append([{ id: "root", kind: "agent", name: "turn", startedAt: at(0) }])).body).toMatchObject({ ok: true, spanCount: 2 });
  let trace = (await server.call("GET", "/api/traces/stream-1")).body;
  expect(trace.trace.status).toBe("running");
  expect(trace.trace.ended_at).toBeNull();

  // The missing middle arrives (twice: a retry), then the root is closed.
  const middle = { id: "c1", parentSpanId: "root", kind: "tool", name: "lookup", startedAt: at(1), endedAt: at(3), costUsd: 0.5 };
  expect((await append([middle])).status).toBe(200);
  expect((await append([middle])).body).toMatchObject({ spanCount: 3 });
  expect(
    (await append([{ id: "root", kind: "agent", name: "turn", startedAt: at(0), endedAt: at(5), outputTokens: 7 }])).body,
  ).toMatchObject({ spanCount: 3 });

  trace = (await server.call("GET", "/api/traces/stream-1")).body;
  expect(trace.spans.map((s: { id: string }) => s.id)).toEqual(["root", "c1", "c2"]);
  const [root, c1, c2] = trace.spans;
  expect(c1.dotted_order.startsWith(`${root.dotted_order}.`)).toBe(true);
  expect(c2.dotted_order.startsWith(`${c1.dotted_order}.`)).toBe(true);
  expect(root).toMatchObject({ status: "ok", ended_at: at(5), duration_ms: 5000, output_tokens: 7 });
  expect(trace.trace).toMatchObject({
    status: "ok",
    started_at: at(0),
    ended_at: at(5),
    total_input_tokens: 10,
    total_output_tokens: 12,
    total_cost_usd: 0.5,
  });
  // An unknown log is a 404; nothing is stored for it.
  expect((await server.call("POST", "/api/logs/nope/spans", { spans: [middle] })).status).toBe(404);
});

describe("GET /api/traces", () => {
  const TOTAL = 1_000;
  beforeAll(async () => {
    const ids = Array.from({ length: TOTAL }, (_, i) => i);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map((n) =>
          server.call("POST", "/api/logs", {
            id: `walk-${n}`,
            project: "walk",
            output: "o",
            // Many share a timestamp, so the id breaks ties in the cursor.
            timestamp: at(100 + Math.floor(n / 7)),
            trace: {
              name: n % 10 === 0 ? `checkout-${n}` : `chat-${n}`,
              agentId: `agent-${n % 4}`,
              runnerId: n % 5 === 0 ? "runner-x" : undefined,
              threadId: `thread-${n % 3}`,
              runId: n === 42 ? "run-42" : undefined,
            },
            ...(n % 100 === 0
              ? { spans: [{ id: "open", kind: "agent", name: "still going", startedAt: at(100 + Math.floor(n / 7)) }] }
              : {}),
          }),
        ),
      );
    }
  });

  const all = async (query: string, pageSize = 97) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { traces: { id: string }[]; nextCursor: string | null } } = await server.call(
        "GET",
        `/api/traces?limit=${pageSize}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.traces.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor;
      // New traces arrive while walking: they start after the walk began, so they never show up in it.
      if (pages++ === 2)
        await server.call("POST", "/api/logs", { id: `late-${pages}`, project: "walk", output: "late", trace: { name: "chat-late" } });
    } while (cursor);
    return seen;
  };

  test("the cursor walk visits each of 1,000+ traces exactly once, newest first, while new ones arrive", async () => {
    const walked = await all("");
    const walkIds = walked.filter((id) => id.startsWith("walk-"));
    expect(walkIds).toHaveLength(TOTAL);
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked.some((id) => id.startsWith("late-"))).toBe(false);
    const first = await server.call("GET", "/api/traces?limit=1");
    expect(first.body.traces[0].id).toMatch(/^late-/);
    expect(Object.keys(first.body.traces[0]).sort()).toEqual(
      [
        "id",
        "org_id",
        "agent_id",
        "runner_id",
        "thread_id",
        "run_id",
        "session_id",
        "user_id",
        "name",
        "status",
        "started_at",
        "ended_at",
        "duration_ms",
        "total_input_tokens",
        "total_output_tokens",
        "total_cost_usd",
        "tags",
        "span_count",
        "error_count",
        "llm_call_count",
        "tool_call_count",
      ].sort(),
    );
  });

  test("every documented filter narrows to exactly its traces", async () => {
    const walk = (ids: string[]) =>
      ids
        .filter((id) => id.startsWith("walk-"))
        .map((id) => Number(id.slice(5)))
        .sort((a, b) => a - b);
    const expected = (keep: (n: number) => boolean) => Array.from({ length: TOTAL }, (_, n) => n).filter(keep);
    expect(walk(await all("&agent_id=agent-1", 200))).toEqual(expected((n) => n % 4 === 1));
    expect(walk(await all("&runner_id=runner-x", 200))).toEqual(expected((n) => n % 5 === 0));
    expect(walk(await all("&thread_id=thread-2", 200))).toEqual(expected((n) => n % 3 === 2));
    expect(walk(await all("&run_id=run-42", 200))).toEqual([42]);
    expect(walk(await all("&status=running", 200))).toEqual(expected((n) => n % 100 === 0));
    expect(walk(await all("&q=checkout", 200))).toEqual(expected((n) => n % 10 === 0));
    expect(walk(await all("&agent_id=agent-0&q=checkout&status=ok", 200))).toEqual(
      expected((n) => n % 4 === 0 && n % 10 === 0 && n % 100 !== 0),
    );
  });

  test("limits and cursors are checked; another workspace sees none of them", async () => {
    expect((await server.call("GET", "/api/traces?limit=201")).status).toBe(400);
    expect((await server.call("GET", "/api/traces?cursor=garbage")).body).toMatchObject({
      code: "invalid_request",
      fields: { cursor: expect.any(String) },
    });
    expect((await server.call("GET", "/api/traces")).body.traces).toHaveLength(50);
    const stranger = await server.newWorkspace("Walk stranger");
    expect((await server.call("GET", "/api/traces?limit=200", undefined, { token: stranger })).body).toEqual({
      traces: [],
      nextCursor: null,
    });
  });
});

test("a caller's own evaluations: on the trace or a span, stored once when posted twice, the verdict untouched", async () => {
  const before = (await server.call("GET", "/api/logs/trace-1")).body;
  const evaluation = {
    id: "tone-1",
    spanId: "llm-1",
    evaluator: "acme.tone",
    evaluatorVersion: "1.0",
    name: "friendly",
    score: 0.9,
    label: "pass",
    reason: "Warm wording",
    metadata: { reviewer: "bot" },
  };
  const post = (evaluations: unknown[]) => server.call("POST", "/api/logs/trace-1/evaluations", { evaluations });
  expect((await post([evaluation])).body).toEqual({ ok: true, traceId: "trace-1", stored: 1 });
  expect((await post([evaluation])).body).toEqual({ ok: true, traceId: "trace-1", stored: 0 });
  expect((await post([{ id: "whole-1", evaluator: "acme.length", name: "short enough", score: 1 }])).body.stored).toBe(1);

  const { evaluations } = (await server.call("GET", "/api/traces/trace-1")).body;
  expect(evaluations).toHaveLength(2);
  expect(evaluations.find((e: { id: string }) => e.id === "tone-1")).toEqual({
    id: "tone-1",
    span_id: "llm-1",
    trace_id: "trace-1",
    evaluator: "acme.tone",
    evaluator_version: "1.0",
    name: "friendly",
    score: 0.9,
    label: "pass",
    reason: "Warm wording",
    metadata: { reviewer: "bot" },
    created_at: expect.any(String),
  });
  const after = (await server.call("GET", "/api/logs/trace-1")).body;
  expect({ status: after.status, appliedRules: after.appliedRules }).toEqual({ status: before.status, appliedRules: before.appliedRules });

  const refused = [
    [{ id: "x", evaluator: "rule.keyword_forbidden", name: "n" }, /evaluations\.0\.evaluator/],
    [{ id: "x", evaluator: "acme", name: "n", score: 1.5 }, /evaluations\.0\.score/],
    [{ id: "x", evaluator: "acme", name: "n", spanId: "no-such-span" }, /evaluations\.0\.spanId/],
    [{ evaluator: "acme", name: "n" }, /evaluations\.0\.id/],
  ] as const;
  for (const [body, field] of refused) {
    const res = await post([body]);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fields ?? {}).join(",")).toMatch(field);
  }
  expect((await server.call("POST", "/api/logs/nope/evaluations", { evaluations: [evaluation] })).status).toBe(404);
});

test("a span payload over 256 KB is stored cut, with a marker saying so", async () => {
  const big = "x".repeat(300 * 1024);
  const spans = [
    { id: "big", kind: "tool", name: "dump", startedAt: at(0), endedAt: at(1), input: { small: true }, output: { text: big } },
  ];
  expect((await server.call("POST", "/api/logs", { id: "big-trace", project: "traces", output: "o", spans })).status).toBe(200);
  const [span] = (await server.call("GET", "/api/traces/big-trace")).body.spans;
  expect(span.input).toEqual({ small: true });
  expect(span.output).toMatchObject({ truncated: true, original_bytes: JSON.stringify({ text: big }).length, preview: expect.any(String) });
  expect(span.output.preview.length).toBe(2_000);
});
