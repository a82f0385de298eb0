import { parse } from "csv-parse/sync";
import { startTestServerOn, type TestServer } from "./helpers/server";

/**
 * The session API (peer-session-traces) on Postgres and on the embedded default (PGlite). Every expected
 * figure is worked out here from the seeds below; the evaluation worker is off (one verdict is set by SQL).
 *
 * Project "support":
 * - `sess-main`, three turns (logs main-1..3, each trace's root span is called `root`): LLM calls, tools (two
 *   failing "lookup_order" calls with the same message but for their numbers and ids), guardrails (one blocks
 *   by decision kind, one by `attributes.blocked`), decisions (one rare: `escalate`), handoffs billing →
 *   refunds → billing, and one slow tool (search_kb, 12 s).
 * - `sess-hist`, four earlier traces (1 to 4 days before): the project's history (tools, decisions, LLM calls).
 * - `sess-plain`, two logs without spans.
 */

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface SpanSeed {
  id: string;
  kind: string;
  name: string;
  start: number;
  end: number;
  parent?: string;
  [field: string]: unknown;
}

const span = ({ id, kind, name, start, end, parent = "root", ...rest }: SpanSeed) => ({
  id,
  parentSpanId: parent,
  kind,
  name,
  startedAt: at(start),
  endedAt: at(end),
  ...rest,
});
const root = (start: number, end: number) => ({ id: "root", kind: "agent", name: "support-agent", startedAt: at(start), endedAt: at(end) });

const LLM_OUTPUT = 'He said "yes, refund", then\r\nleft';
const FORMULA_INPUT = "=SUM(1,2)";

const MAIN = [
  {
    id: "main-1",
    timestamp: at(0),
    spans: [
      root(0, 4_000),
      span({
        id: "t1-llm",
        kind: "llm",
        name: "plan",
        start: 500,
        end: 1_500,
        provider: "openai",
        model: "gpt-4o-mini",
        inputTokens: 100,
        outputTokens: 20,
        cachedInputTokens: 10,
        costUsd: 0.001,
        input: "Where is my  order\nA-1?",
        attributes: { "prompt.id": "plan-v3", "gen_ai.request.temperature": 0.2, region: "eu" },
      }),
      span({
        id: "t1-tool",
        kind: "tool",
        name: "lookup_order",
        start: 1_500,
        end: 2_000,
        input: { order: "A-1" },
        output: { status: "shipped" },
      }),
      span({ id: "t1-guard", kind: "guardrail", name: "pii-check", start: 2_000, end: 2_100, attributes: { blocked: false } }),
      span({ id: "t1-route", kind: "condition", name: "router", start: 2_100, end: 2_150, decisionKind: "route" }),
      span({
        id: "t1-handoff",
        kind: "chain",
        name: "handoff",
        start: 2_200,
        end: 2_300,
        decisionKind: "handoff",
        attributes: { to: "billing" },
      }),
    ],
  },
  {
    id: "main-2",
    timestamp: at(10_000),
    spans: [
      root(10_000, 25_000),
      span({
        id: "t2-llm",
        kind: "llm",
        name: "answer",
        start: 10_500,
        end: 11_500,
        provider: "openai",
        model: "gpt-4o",
        inputTokens: 200,
        outputTokens: 50,
        costUsd: 0.003,
      }),
      span({
        id: "t2-tool",
        kind: "tool",
        name: "lookup_order",
        start: 11_500,
        end: 12_000,
        error: { message: "Order 4411 not found (req 9f8e7d6c5b4a)" },
      }),
      span({ id: "t2-search", kind: "tool", name: "search_kb", start: 12_000, end: 24_000 }),
      span({ id: "t2-rank", kind: "chain", name: "rank", start: 13_000, end: 14_000, parent: "t2-search" }),
      span({ id: "t2-guard", kind: "guardrail", name: "policy", start: 24_000, end: 24_200, decisionKind: "block" }),
      span({
        id: "t2-handoff",
        kind: "chain",
        name: "handoff",
        start: 24_200,
        end: 24_300,
        decisionKind: "handoff",
        attributes: { target: "refunds" },
      }),
    ],
  },
  {
    id: "main-3",
    timestamp: at(30_000),
    spans: [
      root(30_000, 33_000),
      span({
        id: "t3-handoff",
        kind: "chain",
        name: "transfer",
        start: 30_000,
        end: 30_100,
        decisionKind: "handoff",
        attributes: { to: "billing" },
      }),
      span({
        id: "t3-llm",
        kind: "llm",
        name: "final",
        start: 30_100,
        end: 31_100,
        provider: "openai",
        model: "gpt-4o-mini",
        inputTokens: 300,
        outputTokens: 80,
        cachedInputTokens: 100,
        costUsd: 0.005,
        output: LLM_OUTPUT,
      }),
      span({ id: "t3-tool", kind: "tool", name: "calc", start: 31_100, end: 31_600, input: FORMULA_INPUT, output: "3" }),
      span({ id: "t3-guard", kind: "guardrail", name: "toxicity", start: 31_600, end: 31_700, attributes: { blocked: true } }),
      span({ id: "t3-escalate", kind: "condition", name: "escalate?", start: 31_700, end: 31_750, decisionKind: "escalate" }),
      span({
        id: "t3-fail",
        kind: "tool",
        name: "lookup_order",
        start: 31_800,
        end: 32_300,
        error: { message: "Order 9812 not found (req 1a2b3c4d5e6f)" },
      }),
    ],
  },
];

/** hist-k starts k + 1 days before T0: a 1 s agent, 5 tools of 200 ms, 5 `route` decisions, a block, a handoff, an LLM call. */
const HIST = [0, 1, 2, 3].map((k) => {
  const t = -(k + 1) * DAY;
  const step = (i: number, ms: number) => [t + i * 60, t + i * 60 + ms] as const;
  return {
    id: `hist-${k}`,
    timestamp: at(t),
    spans: [
      root(t, t + 1_000),
      ...[0, 1, 2, 3, 4].map((i) => {
        const [start, end] = step(i, 200);
        return span({ id: `tool-${i}`, kind: "tool", name: "lookup_order", start, end });
      }),
      ...[5, 6, 7, 8, 9].map((i) => {
        const [start, end] = step(i, 50);
        return span({ id: `route-${i}`, kind: "condition", name: "router", start, end, decisionKind: "route" });
      }),
      span({ id: "block", kind: "guardrail", name: "policy", start: step(10, 50)[0], end: step(10, 50)[1], decisionKind: "block" }),
      span({
        id: "handoff",
        kind: "chain",
        name: "handoff",
        start: step(11, 50)[0],
        end: step(11, 50)[1],
        decisionKind: "handoff",
        attributes: { to: "billing" },
      }),
      span({
        id: "llm",
        kind: "llm",
        name: "plan",
        start: step(12, 100)[0],
        end: step(12, 100)[1],
        model: "gpt-4o-mini",
        inputTokens: 10,
        outputTokens: 5,
      }),
    ],
  };
});

const PLAIN = [
  { id: "plain-1", timestamp: at(-2 * HOUR), latencyMs: 300, costUsd: 0.002, task: "greet", output: 'Hello, "friend"' },
  { id: "plain-2", timestamp: at(-HOUR), latencyMs: 200, task: "greet", output: "Bye" },
];

const ids = (list: { id: string }[]) => list.map((e) => e.id);
const BASE = "/api/projects/support/sessions";

describe.each(["postgres", "pglite"] as const)("%s", (backend) => {
  let server: TestServer;
  const call: TestServer["call"] = (...args) => server.call(...args);

  beforeAll(async () => {
    server = await startTestServerOn(backend, { TRACIRA_WORKER: "false" });
    const post = async (body: Record<string, unknown>) => {
      const res = await call("POST", "/api/logs", { project: "support", output: "ok", ...body });
      expect({ id: body.id, status: res.status }).toEqual({ id: body.id, status: 200 });
    };
    for (const log of MAIN) await post({ ...log, sessionId: "sess-main" });
    for (const log of HIST) await post({ ...log, sessionId: "sess-hist" });
    for (const log of PLAIN) await post({ ...log, sessionId: "sess-plain" });
    await server.running.deps.db.sql.query(`UPDATE logs SET status = 'flagged', verdict = 'flagged' WHERE id = 'main-3'`);
  });
  afterAll(async () => {
    await server?.close();
  });

  test("the session list: rollups worked out by hand, latest activity first, walked with the cursor; q, from and to", async () => {
    const first = await call("GET", `${BASE}?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(["sess-main", "sess-plain"]);
    expect(first.body.nextCursor).toBe(`${at(-HOUR + 200)}|sess-plain`);
    const [main, plain] = first.body.sessions;
    expect(main).toEqual({
      sessionId: "sess-main",
      traceCount: 3,
      firstStartedAt: at(0),
      lastEndedAt: at(33_000),
      lastActivityAt: at(33_000),
      // 4,000 + 15,000 + 3,000 ms
      totalLatencyMs: 22_000,
      // 100 + 200 + 300 and 20 + 50 + 80
      inputTokens: 600,
      outputTokens: 150,
      costUsd: expect.any(Number),
      // 6 + 7 + 7 spans, two failed tools, three LLM calls, five tools (t1-tool, t2-tool, t2-search, t3-tool, t3-fail)
      spanCount: 20,
      errorCount: 2,
      llmCallCount: 3,
      toolCallCount: 5,
      flaggedCount: 1,
      runningCount: 0,
    });
    expect(main.costUsd).toBeCloseTo(0.001 + 0.003 + 0.005, 10);
    expect(plain).toMatchObject({
      traceCount: 2,
      firstStartedAt: at(-2 * HOUR),
      lastEndedAt: at(-HOUR + 200),
      totalLatencyMs: 500,
      spanCount: 0,
      inputTokens: 0,
      flaggedCount: 0,
    });
    expect(plain.costUsd).toBeCloseTo(0.002, 10);

    const second = await call("GET", `${BASE}?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(["sess-hist"]);
    expect(second.body.sessions[0]).toMatchObject({
      traceCount: 4,
      spanCount: 56,
      firstStartedAt: at(-4 * DAY),
      lastActivityAt: at(-DAY + 1_000),
    });
    expect(second.body.nextCursor).toBeNull();

    const names = async (query: string) =>
      (await call("GET", `${BASE}?${query}`)).body.sessions.map((s: { sessionId: string }) => s.sessionId);
    expect(await names("q=PLAIN")).toEqual(["sess-plain"]);
    // Active on or after 90 minutes before T0: the main session and the plain one (its last end is 1 h before T0).
    expect(await names(`from=${at(-1.5 * HOUR)}`)).toEqual(["sess-main", "sess-plain"]);
    // Started on or before 3 h before T0: only the history.
    expect(await names(`to=${at(-3 * HOUR)}`)).toEqual(["sess-hist"]);
    expect(await names("q=nothing-like-this")).toEqual([]);
  });

  test("a session's traces in turn order with their events in tree order, depths and parents", async () => {
    const { status, body } = await call("GET", `${BASE}/sess-main/traces`);
    expect(status).toBe(200);
    expect(body.sessionId).toBe("sess-main");
    expect(body.metrics).toBeUndefined();
    expect(body.traces.map((t: { traceId: string; turn: number }) => [t.turn, t.traceId])).toEqual([
      [1, "main-1"],
      [2, "main-2"],
      [3, "main-3"],
    ]);
    const turn2 = body.traces[1];
    expect(turn2).toMatchObject({
      status: "pending",
      executionStatus: "error",
      startedAt: at(10_000),
      endedAt: at(25_000),
      durationMs: 15_000,
      spanCount: 7,
      errorCount: 1,
    });
    expect(body.traces[2].status).toBe("flagged");
    expect(turn2.events.map((e: { id: string; depth: number; parentSpanId: string | null }) => [e.id, e.depth, e.parentSpanId])).toEqual([
      ["root", 0, null],
      ["t2-llm", 1, "root"],
      ["t2-tool", 1, "root"],
      ["t2-search", 1, "root"],
      ["t2-rank", 2, "t2-search"],
      ["t2-guard", 1, "root"],
      ["t2-handoff", 1, "root"],
    ]);
    expect(turn2.events.find((e: { id: string }) => e.id === "t2-tool")).toMatchObject({
      traceId: "main-2",
      turn: 2,
      eventType: "error",
      status: "error",
      kind: "tool",
      durationMs: 500,
      error: { message: "Order 4411 not found (req 9f8e7d6c5b4a)" },
      synthesized: false,
    });
    expect(body.traces[2].events.find((e: { id: string }) => e.id === "t3-llm")).toMatchObject({
      output: LLM_OUTPUT,
      eventType: "llm_call",
    });

    // Logs without spans: one synthesized response event each (id = log id, its output, latency and cost).
    const plain = await call("GET", `${BASE}/sess-plain/traces`);
    expect(plain.body.traces.map((t: { events: unknown[] }) => t.events)).toEqual([
      [
        expect.objectContaining({
          id: "plain-1",
          traceId: "plain-1",
          turn: 1,
          depth: 0,
          parentSpanId: null,
          eventType: "response",
          kind: "agent",
          name: "greet",
          startedAt: at(-2 * HOUR),
          endedAt: at(-2 * HOUR + 300),
          durationMs: 300,
          costUsd: 0.002,
          output: 'Hello, "friend"',
          synthesized: true,
        }),
      ],
      [expect.objectContaining({ id: "plain-2", turn: 2, durationMs: 200, output: "Bye", synthesized: true })],
    ]);
  });

  test("eventType (one or a list) and decisionKind narrow the events; the traces stay", async () => {
    const eventIds = async (query: string) => {
      const { status, body } = await call("GET", `${BASE}/sess-main/traces?${query}`);
      expect(status).toBe(200);
      return body.traces.map((t: { events: { id: string }[] }) => ids(t.events));
    };
    expect(await eventIds("eventType=handoff")).toEqual([["t1-handoff"], ["t2-handoff"], ["t3-handoff"]]);
    // A guardrail that states a decision kind is a decision event (t2-guard: block).
    expect(await eventIds("eventType=decision,handoff")).toEqual([
      ["t1-route", "t1-handoff"],
      ["t2-guard", "t2-handoff"],
      ["t3-handoff", "t3-escalate"],
    ]);
    expect(await eventIds("eventType=error")).toEqual([[], ["t2-tool"], ["t3-fail"]]);
    expect(await eventIds("eventType=guardrail_eval")).toEqual([["t1-guard"], [], ["t3-guard"]]);
    expect(await eventIds("decisionKind=handoff")).toEqual([["t1-handoff"], ["t2-handoff"], ["t3-handoff"]]);
    expect(await eventIds("decisionKind=block,escalate")).toEqual([[], ["t2-guard"], ["t3-escalate"]]);
    expect(await eventIds("eventType=decision&decisionKind=route")).toEqual([["t1-route"], [], []]);
  });

  test("metrics, worked out by hand; include=metrics adds the same object", async () => {
    const { status, body } = await call("GET", `${BASE}/sess-main/metrics`);
    expect(status).toBe(200);
    expect(body).toEqual({
      sessionId: "sess-main",
      turnCount: 3,
      // Each turn: its trace's end minus its start (4 s, 15 s, 3 s); the total is their sum.
      totalLatencyMs: 4_000 + 15_000 + 3_000,
      // First start (T0) to last end (T0 + 33 s).
      elapsedMs: 33_000,
      turns: [
        { turn: 1, traceId: "main-1", startedAt: at(0), endedAt: at(4_000), latencyMs: 4_000 },
        { turn: 2, traceId: "main-2", startedAt: at(10_000), endedAt: at(25_000), latencyMs: 15_000 },
        { turn: 3, traceId: "main-3", startedAt: at(30_000), endedAt: at(33_000), latencyMs: 3_000 },
      ],
      llmCalls: [
        {
          turn: 1,
          traceId: "main-1",
          spanId: "t1-llm",
          name: "plan",
          provider: "openai",
          model: "gpt-4o-mini",
          inputTokens: 100,
          outputTokens: 20,
          cachedInputTokens: 10,
          totalTokens: 120,
          latencyMs: 1_000,
          costUsd: 0.001,
        },
        expect.objectContaining({ spanId: "t2-llm", inputTokens: 200, outputTokens: 50, cachedInputTokens: 0, totalTokens: 250 }),
        expect.objectContaining({ spanId: "t3-llm", inputTokens: 300, outputTokens: 80, cachedInputTokens: 100, totalTokens: 380 }),
      ],
      tokens: { input: 100 + 200 + 300, output: 20 + 50 + 80, cachedInput: 10 + 0 + 100, total: 120 + 250 + 380 },
      // Tools (kind tool or mcp): t1-tool ok, t2-tool error, t2-search ok, t3-tool ok, t3-fail error.
      toolCallCount: 5,
      toolSuccessCount: 3,
      toolErrorCount: 2,
      toolSuccessRate: 3 / 5,
      // Guardrails: t1-guard (blocked: false), t2-guard (decision kind block), t3-guard (blocked: true).
      guardrailEvaluationCount: 3,
      guardrailBlockCount: 2,
      guardrailBlockRate: 2 / 3,
    });

    const withMetrics = await call("GET", `${BASE}/sess-main/traces?include=metrics&eventType=llm_call`);
    expect(withMetrics.body.metrics).toEqual(body);
    expect(withMetrics.body.traces.map((t: { events: { id: string }[] }) => ids(t.events))).toEqual([["t1-llm"], ["t2-llm"], ["t3-llm"]]);

    // A session of logs without spans: latency from the logs, no calls, rates null (nothing to divide).
    const plain = (await call("GET", `${BASE}/sess-plain/metrics`)).body;
    expect(plain).toMatchObject({
      turnCount: 2,
      totalLatencyMs: 500,
      toolCallCount: 0,
      toolSuccessRate: null,
      guardrailBlockRate: null,
      llmCalls: [],
    });
  });

  test("children of a span: all descendants in tree order with parent and depth; traceId when the id repeats", async () => {
    const ambiguous = await call("GET", `${BASE}/sess-main/traces/root/children`);
    expect(ambiguous.status).toBe(400);
    expect(Object.keys(ambiguous.body.fields)).toEqual(["traceId"]);
    expect(ambiguous.body.error).toContain("main-1, main-2, main-3");

    const { status, body } = await call("GET", `${BASE}/sess-main/traces/root/children?traceId=main-2`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ sessionId: "sess-main", traceId: "main-2", spanId: "root", depth: 0 });
    expect(body.events.map((e: { id: string; parentSpanId: string; depth: number }) => [e.id, e.parentSpanId, e.depth])).toEqual([
      ["t2-llm", "root", 1],
      ["t2-tool", "root", 1],
      ["t2-search", "root", 1],
      ["t2-rank", "t2-search", 2],
      ["t2-guard", "root", 1],
      ["t2-handoff", "root", 1],
    ]);
    const nested = await call("GET", `${BASE}/sess-main/traces/t2-search/children`);
    expect(nested.body).toMatchObject({
      traceId: "main-2",
      depth: 1,
      events: [expect.objectContaining({ id: "t2-rank", depth: 2, turn: 2 })],
    });
    expect(nested.body.events).toHaveLength(1);
    expect((await call("GET", `${BASE}/sess-main/traces/t2-rank/children`)).body.events).toEqual([]);
    expect((await call("GET", `${BASE}/sess-plain/traces/plain-1/children`)).body).toMatchObject({ traceId: "plain-1", events: [] });

    expect((await call("GET", `${BASE}/sess-main/traces/no-such-span/children`)).status).toBe(404);
    expect((await call("GET", `${BASE}/sess-main/traces/root/children?traceId=hist-0`)).status).toBe(404);
    expect((await call("GET", `${BASE}/sess-main/traces/t2-search/children?traceId=main-1`)).status).toBe(404);
  });

  test("analysis: the slow spans, the failing tool's error pattern, the rare decision and the handoff loop, each with a suggestion", async () => {
    const { status, body } = await call("GET", `${BASE}/sess-main/analysis`);
    expect(status).toBe(200);

    // Tool spans in the 30 days up to the session's last activity: 20 of the history (200 ms) and the session's
    // five (500 ms × 4, 12,000 ms): 25 ≥ 20, so their p95 decides. Sorted, positions 0–19 are 200, 20–23 are 500,
    // 24 is 12,000; p95 sits at 0.95 × 24 = 22.8, between two 500s: 500 ms. Only search_kb is above it.
    // Agent spans: 3 + 4 = 7 < 20, so the session's own spans decide: its 20 finished spans sorted are
    // 50 ×2, 100 ×5, 200, 500 ×4, 1,000 ×4, 3,000, 4,000, 12,000, 15,000; p95 at 0.95 × 19 = 18.05 is
    // 12,000 + 0.05 × 3,000 = 12,150 ms, the median (position 9.5) 500 ms: turn 2's root (15,000 ms) is above both
    // 12,150 and 2 × 500. (Conditions: 22 in the history window, all 50 ms, so none is above their p95.)
    expect(body.slowSpans.map((s: { spanId: string; traceId: string; baseline: string }) => [s.traceId, s.spanId, s.baseline])).toEqual([
      ["main-2", "root", "session_p95"],
      ["main-2", "t2-search", "project_kind_p95"],
    ]);
    const [rootSlow, searchSlow] = body.slowSpans;
    expect(rootSlow).toMatchObject({ turn: 2, kind: "agent", durationMs: 15_000, thresholdMs: 12_150, baselineCount: 20 });
    expect(rootSlow.reason).toContain("p95");
    expect(searchSlow).toMatchObject({ kind: "tool", name: "search_kb", durationMs: 12_000, thresholdMs: 500, baselineCount: 25 });
    expect(searchSlow.reason).toContain("25 finished tool spans");

    expect(body.errorPatterns).toEqual([
      {
        kind: "tool",
        name: "lookup_order",
        pattern: "Order <n> not found (req <id>)",
        count: 2,
        example: "Order 4411 not found (req 9f8e7d6c5b4a)",
        spans: [
          { traceId: "main-2", turn: 2, spanId: "t2-tool", kind: "tool", name: "lookup_order" },
          { traceId: "main-3", turn: 3, spanId: "t3-fail", kind: "tool", name: "lookup_order" },
        ],
        reason: expect.any(String),
      },
    ]);

    // Decisions in the window: the session's route 1, handoff 3, block 1, escalate 1 and the history's route 20,
    // block 4, handoff 4: 34 in all; escalate is 1/34 ≈ 2.9 % (< 5 %), block 5/34, handoff 7/34, route 21/34.
    // Handoff targets in order: billing (to), refunds (target), billing (to): a loop.
    expect(body.decisionAnomalies).toEqual([
      {
        type: "rare_decision",
        decisionKind: "escalate",
        projectCount: 1,
        projectTotal: 34,
        projectShare: 1 / 34,
        spans: [{ traceId: "main-3", turn: 3, spanId: "t3-escalate", kind: "condition", name: "escalate?" }],
        reason: expect.stringContaining("1 of its 34"),
      },
      {
        type: "handoff_loop",
        target: "billing",
        sequence: ["billing", "refunds", "billing"],
        spans: [
          { traceId: "main-1", turn: 1, spanId: "t1-handoff", kind: "chain", name: "handoff" },
          { traceId: "main-2", turn: 2, spanId: "t2-handoff", kind: "chain", name: "handoff" },
          { traceId: "main-3", turn: 3, spanId: "t3-handoff", kind: "chain", name: "transfer" },
        ],
        reason: expect.stringContaining("billing → refunds → billing"),
      },
    ]);

    // One suggestion per finding, pointing at it.
    expect(
      body.suggestions.map((s: { finding: string; findingIndex: number; traceId: string; spanId: string }) => [
        s.finding,
        s.findingIndex,
        s.traceId,
        s.spanId,
      ]),
    ).toEqual([
      ["slow_span", 0, "main-2", "root"],
      ["slow_span", 1, "main-2", "t2-search"],
      ["error_pattern", 0, "main-2", "t2-tool"],
      ["rare_decision", 0, "main-3", "t3-escalate"],
      ["handoff_loop", 1, "main-3", "t3-handoff"],
    ]);
    for (const s of body.suggestions) expect(s.text.length).toBeGreaterThan(20);
    expect(body.suggestions[1].text).toContain("search_kb");

    // The history's own session: one target only, no loop; nothing failed.
    const hist = (await call("GET", `${BASE}/sess-hist/analysis`)).body;
    expect(hist.errorPatterns).toEqual([]);
    expect(hist.decisionAnomalies.filter((a: { type: string }) => a.type === "handoff_loop")).toEqual([]);
  });

  test("generations: every LLM event of the project's sessions once, newest first, walked with the cursor", async () => {
    const seen: { spanId: string; traceId: string; sessionId: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : "limit=2";
      const res = await call("GET", `${BASE}/generations?${query}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.generations);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    // Three in the main session, one per history trace (hist-0 is the newest, a day before T0).
    expect(seen.map((g) => `${g.traceId}/${g.spanId}`)).toEqual([
      "main-3/t3-llm",
      "main-2/t2-llm",
      "main-1/t1-llm",
      "hist-0/llm",
      "hist-1/llm",
      "hist-2/llm",
      "hist-3/llm",
    ]);
    expect(pages).toBe(4);
    expect(new Set(seen.map((g) => g.sessionId))).toEqual(new Set(["sess-main", "sess-hist"]));
    const plan = seen.find((g) => g.spanId === "t1-llm");
    expect(plan).toEqual({
      sessionId: "sess-main",
      traceId: "main-1",
      spanId: "t1-llm",
      name: "plan",
      status: "ok",
      provider: "openai",
      model: "gpt-4o-mini",
      startedAt: at(500),
      endedAt: at(1_500),
      latencyMs: 1_000,
      inputTokens: 100,
      outputTokens: 20,
      cachedInputTokens: 10,
      totalTokens: 120,
      costUsd: 0.001,
      // Prompt-ish attributes only (region is not); the input with its spaces collapsed.
      prompt: { metadata: { "prompt.id": "plan-v3", "gen_ai.request.temperature": 0.2 }, inputPreview: "Where is my order A-1?" },
    });

    const onlyMain = (await call("GET", `${BASE}/generations?sessionId=sess-main&model=gpt-4o-mini`)).body.generations;
    expect(onlyMain.map((g: { spanId: string }) => g.spanId)).toEqual(["t3-llm", "t1-llm"]);
  });

  test("CSV export: every event once, parsed back by a real CSV parser to the same values; formulas neutralised", async () => {
    const res = await fetch(`${server.url}${BASE}/export?format=csv`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="sessions-support.csv"');
    const text = await res.text();
    expect(text.endsWith("\r\n")).toBe(true);
    const rows: Record<string, string>[] = parse(text, { columns: true });

    // The same events through the JSON API, session by session (in session id order), turn by turn.
    const expected: Record<string, string>[] = [];
    const cell = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
    const safe = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    for (const sessionId of ["sess-hist", "sess-main", "sess-plain"]) {
      const { body } = await call("GET", `${BASE}/${sessionId}/traces`);
      for (const trace of body.traces) {
        for (const e of trace.events) {
          const row: Record<string, string> = {
            sessionId,
            traceId: e.traceId,
            turn: String(e.turn),
            spanId: e.id,
            parentSpanId: cell(e.parentSpanId),
            eventType: e.eventType,
            decisionKind: cell(e.decisionKind),
            kind: e.kind,
            name: e.name,
            status: e.status,
            startedAt: e.startedAt,
            endedAt: cell(e.endedAt),
            durationMs: cell(e.durationMs),
            provider: cell(e.provider),
            model: cell(e.model),
            inputTokens: cell(e.inputTokens),
            outputTokens: cell(e.outputTokens),
            cachedInputTokens: cell(e.cachedInputTokens),
            costUsd: cell(e.costUsd),
            input: cell(e.input),
            output: cell(e.output),
            error: cell(e.error),
            attributes: JSON.stringify(e.attributes),
            synthesized: String(e.synthesized),
          };
          expected.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, safe(v)])));
        }
      }
    }
    // 56 history spans, 20 main spans, 2 logs without spans.
    expect(rows).toHaveLength(56 + 20 + 2);
    expect(rows).toEqual(expected);

    const byId = (spanId: string, traceId: string) => rows.find((r) => r.spanId === spanId && r.traceId === traceId)!;
    // A comma, quotes and CR LF inside one value come back as sent.
    expect(byId("t3-llm", "main-3").output).toBe(LLM_OUTPUT);
    expect(byId("plain-1", "plain-1").output).toBe('Hello, "friend"');
    // A value a spreadsheet would run as a formula gets a leading apostrophe.
    expect(byId("t3-tool", "main-3").input).toBe(`'${FORMULA_INPUT}`);
    expect(text).toContain(`,"'=SUM(1,2)",`);
    expect(JSON.parse(byId("t1-handoff", "main-1").attributes!)).toEqual({ to: "billing" });

    const exported = async (query: string) => {
      const r = await fetch(`${server.url}${BASE}/export?${query}`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(r.status).toBe(200);
      return (parse(await r.text(), { columns: true }) as Record<string, string>[]).map((x) => `${x.traceId}/${x.spanId}`);
    };
    expect(await exported("format=csv&sessionId=sess-main&eventType=llm_call")).toEqual([
      "main-1/t1-llm",
      "main-2/t2-llm",
      "main-3/t3-llm",
    ]);
    expect(await exported("format=csv&decisionKind=escalate,block")).toEqual([
      "hist-3/block",
      "hist-2/block",
      "hist-1/block",
      "hist-0/block",
      "main-2/t2-guard",
      "main-3/t3-escalate",
    ]);
    expect(await exported("q=plain")).toEqual(["plain-1/plain-1", "plain-2/plain-2"]);
    expect(await exported(`format=csv&to=${encodeURIComponent(at(-3 * HOUR))}&eventType=llm_call`)).toEqual([
      "hist-3/llm",
      "hist-2/llm",
      "hist-1/llm",
      "hist-0/llm",
    ]);
  });

  test("CSV export of a trace larger than one batch: 1,200 events of one trace and more, each once, in order", async () => {
    const spans = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => ({
        id: `s${String(from + k).padStart(4, "0")}`,
        parentSpanId: "root",
        kind: "chain",
        name: `step, "${from + k}"`,
        startedAt: at(1 + from + k),
        endedAt: at(2 + from + k),
      }));
    const big = await call("POST", "/api/logs", {
      id: "big-1",
      project: "bulk",
      sessionId: "big",
      output: "ok",
      spans: [{ id: "root", kind: "agent", name: "agent", startedAt: at(0), endedAt: at(5_000) }, ...spans(0, 999)],
    });
    expect(big.status).toBe(200);
    expect((await call("POST", "/api/logs/big-1/spans", { spans: spans(999, 1_199) })).status).toBe(200);
    await call("POST", "/api/logs", { id: "big-2", project: "bulk", sessionId: "big", output: "second", timestamp: at(10_000) });
    const res = await fetch(`${server.url}/api/projects/bulk/sessions/export`, { headers: { authorization: `Bearer ${server.token}` } });
    const rows: Record<string, string>[] = parse(await res.text(), { columns: true });
    expect(rows.map((r) => `${r.traceId}/${r.spanId}`)).toEqual([
      "big-1/root",
      ...Array.from({ length: 1_199 }, (_, k) => `big-1/s${String(k).padStart(4, "0")}`),
      "big-2/big-2",
    ]);
    expect(rows.map((r) => r.turn)).toEqual([...Array.from({ length: 1_200 }, () => "1"), "2"]);
    expect(rows[500]!.name).toBe('step, "499"');

    // More traces than one page of the walk (1,000): 1,100 logs without spans in one session, seeded by SQL.
    await server.running.deps.db.sql.query(
      `INSERT INTO logs (id, workspace_id, project_id, session_id, output, timestamp, started_at)
       SELECT 'many-' || i, p.workspace_id, p.id, 'many', 'reply ' || i, t.at, t.at
       FROM projects p, generate_series(1, 1100) AS i, LATERAL (SELECT $1::timestamptz + i * interval '1 second' AS at) t
       WHERE p.name = 'bulk'`,
      [at(0)],
    );
    const many = await fetch(`${server.url}/api/projects/bulk/sessions/export?sessionId=many`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    const manyRows: Record<string, string>[] = parse(await many.text(), { columns: true });
    expect(manyRows.map((r) => [r.turn, r.spanId, r.output])).toEqual(
      Array.from({ length: 1_100 }, (_, k) => [String(k + 1), `many-${k + 1}`, `reply ${k + 1}`]),
    );
  });

  test("another workspace's project, session or trace is a 404 on every route; another project's session too", async () => {
    const stranger = await server.newWorkspace("Stranger");
    await server.call("POST", "/api/logs", { project: "support", sessionId: "their-session", output: "x" }, { token: stranger });
    const projectId = (await call("GET", `${BASE}/sess-main/traces`)).body.projectId;
    const routes = (project: string, session: string) => [
      `/api/projects/${project}/sessions`,
      `/api/projects/${project}/sessions/export?format=csv`,
      `/api/projects/${project}/sessions/generations`,
      `/api/projects/${project}/sessions/${session}/traces`,
      `/api/projects/${project}/sessions/${session}/traces/root/children?traceId=main-1`,
      `/api/projects/${project}/sessions/${session}/metrics`,
      `/api/projects/${project}/sessions/${session}/analysis`,
    ];
    for (const path of routes(projectId, "sess-main")) {
      const res = await call("GET", path, undefined, { token: stranger });
      expect({ path, status: res.status, code: res.body?.code }).toEqual({ path, status: 404, code: "not_found" });
    }
    // The stranger's own "support" project is theirs alone: its session is unknown here, ours unknown there.
    for (const path of routes("support", "their-session").slice(3))
      expect({ path, status: (await call("GET", path)).status }).toEqual({ path, status: 404 });
    for (const path of routes("support", "sess-main").slice(3)) {
      expect({ path, status: (await call("GET", path, undefined, { token: stranger })).status }).toEqual({ path, status: 404 });
    }
    const theirs = await call("GET", "/api/projects/support/sessions", undefined, { token: stranger });
    expect(theirs.body.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(["their-session"]);
    // A session of another project of the same workspace.
    expect((await call("GET", "/api/projects/bulk/sessions/sess-main/traces")).status).toBe(404);
    expect((await call("GET", "/api/projects/no-such-project/sessions")).status).toBe(404);
  });

  test("hostile query strings are a 400 naming the field", async () => {
    const long = "x".repeat(201);
    const cases: [string, string][] = [
      [`${BASE}?limit=0`, "limit"],
      [`${BASE}?limit=abc`, "limit"],
      [`${BASE}?limit=201`, "limit"],
      [`${BASE}?cursor=not-a-cursor`, "cursor"],
      [`${BASE}?cursor=2026-05-01T12:00:00.000Z|`, "cursor"],
      [`${BASE}?from=yesterday`, "from"],
      [`${BASE}/sess-main/traces?eventType=bogus`, "eventType"],
      [`${BASE}/sess-main/traces?eventType=llm_call,bogus`, "eventType"],
      [`${BASE}/sess-main/traces?eventType=,`, "eventType"],
      [`${BASE}/sess-main/traces?include=everything`, "include"],
      [`${BASE}/sess-main/traces/root/children?traceId=${long}`, "traceId"],
      [`${BASE}/${long}/metrics`, "sessionId"],
      [`${BASE}/${long}/analysis`, "sessionId"],
      [`${BASE}/export?format=xlsx`, "format"],
      [`${BASE}/export?format=csv&eventType=nope`, "eventType"],
      [`${BASE}/export?format=csv&to=2026-02-30`, "to"],
      [`${BASE}/generations?limit=-1`, "limit"],
      [`${BASE}/generations?cursor=abc|def`, "cursor"],
      [`${BASE}/generations?cursor=${encodeURIComponent("2026-05-01T12:00:00.000Z|only-a-trace")}`, "cursor"],
    ];
    for (const [path, field] of cases) {
      const res = await call("GET", path);
      expect({ path, status: res.status, code: res.body?.code, fields: Object.keys(res.body?.fields ?? {}) }).toEqual({
        path,
        status: 400,
        code: "invalid_request",
        fields: [field],
      });
    }
  });

  test("OpenAPI lists every session route", async () => {
    const doc = (await call("GET", "/api/openapi.json", undefined, { token: null })).body;
    for (const path of [
      "/api/projects/{projectId}/sessions",
      "/api/projects/{projectId}/sessions/export",
      "/api/projects/{projectId}/sessions/generations",
      "/api/projects/{projectId}/sessions/{sessionId}/traces",
      "/api/projects/{projectId}/sessions/{sessionId}/traces/{spanId}/children",
      "/api/projects/{projectId}/sessions/{sessionId}/metrics",
      "/api/projects/{projectId}/sessions/{sessionId}/analysis",
    ]) {
      expect({ path, get: Boolean(doc.paths[path]?.get) }).toEqual({ path, get: true });
    }
    expect(Object.keys(doc.paths["/api/projects/{projectId}/sessions/export"].get.responses["200"].content)).toEqual(["text/csv"]);
  });
});
