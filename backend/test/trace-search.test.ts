import { OPERATORS_BY_TYPE, resolveFilterColumn, TRACE_SEARCH_STATUSES, type FilterOperator } from "@tracira/shared";
import { dashboardClient, failureOf } from "./helpers/dashboard";
import { startTestServerOn, type ApiResponse, type TestServer } from "./helpers/server";

/**
 * POST /api/traces/search (peer-adaline-search-traces' shapes) and the typed filters it shares with
 * GET /api/logs, on Postgres and on the embedded default (PGlite). Every expected id list is computed here
 * from the seeds below; outcomes (verdicts, human decisions) are set by SQL, the evaluation worker is off.
 */

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const ms = (seconds: number) => T0 + Math.round(seconds * 1000);
const iso = (seconds: number) => new Date(ms(seconds)).toISOString();

interface SpanSeed {
  id: string;
  parentSpanId?: string;
  kind: string;
  name: string;
  start: number;
  end?: number;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  attributes?: Record<string, unknown>;
  error?: unknown;
}

interface Seed {
  id: string;
  /** The log's timestamp, seconds after T0. */
  ts: number;
  task?: string;
  traceName?: string;
  sessionId?: string;
  subjectId?: string;
  model?: string;
  tags: string[];
  metadata?: Record<string, unknown>;
  latencyMs?: number;
  costUsd?: number;
  spans: SpanSeed[];
  evaluations: { name: string; score: number }[];
  /** Set by SQL after ingest: the log's status, its verdict column and the human decision. */
  outcome: {
    status: "pending" | "pass" | "flagged" | "error";
    verdict: "pass" | "flagged" | "error" | null;
    human?: "approved" | "rejected";
  };
}

const SEEDS: Seed[] = [
  {
    id: "t01",
    ts: 0,
    task: "reply",
    traceName: "checkout",
    sessionId: "sess-a",
    subjectId: "cust-1",
    model: "gpt-4o",
    tags: ["prod", "vip"],
    metadata: { tier: "gold", seats: 5, region: "EU-west" },
    spans: [
      { id: "turn", kind: "agent", name: "agent-turn", start: 0, end: 4 },
      {
        id: "plan",
        parentSpanId: "turn",
        kind: "llm",
        name: "plan",
        start: 0.5,
        end: 1,
        model: "gpt-4o-mini",
        inputTokens: 100,
        outputTokens: 50,
        costUsd: 0.02,
        attributes: { "gen_ai.system": "openai", retries: 2 },
      },
    ],
    evaluations: [{ name: "tone", score: 0.9 }],
    outcome: { status: "pass", verdict: "pass" },
  },
  {
    id: "t02",
    ts: 10,
    task: "reply",
    sessionId: "sess-a",
    subjectId: "cust-2",
    model: "o1_mini%",
    tags: ["prod"],
    metadata: { tier: "silver", seats: 12 },
    latencyMs: 250,
    costUsd: 0.005,
    spans: [],
    evaluations: [{ name: "tone", score: 0.4 }],
    outcome: { status: "flagged", verdict: "flagged" },
  },
  {
    id: "t03",
    ts: 20,
    sessionId: "sess-b",
    model: "o1xmini",
    tags: [],
    metadata: { tier: "gold", seats: "5" },
    spans: [
      {
        id: "look",
        kind: "tool",
        name: "lookup_order",
        start: 21,
        end: 22,
        error: { message: "timeout" },
        attributes: { "http.status": 500 },
      },
    ],
    evaluations: [],
    outcome: { status: "error", verdict: "error" },
  },
  {
    id: "t04",
    ts: 30,
    traceName: "Checkout-Retry",
    tags: ["staging", "vip"],
    spans: [{ id: "turn", kind: "agent", name: "agent-turn", start: 30 }],
    evaluations: [],
    outcome: { status: "pending", verdict: null },
  },
  {
    id: "t05",
    ts: 40,
    task: "summarize",
    subjectId: "cust-1",
    model: "claude",
    tags: ["prod"],
    metadata: { region: "us_east" },
    latencyMs: 1000,
    costUsd: 0.5,
    spans: [],
    evaluations: [],
    outcome: { status: "flagged", verdict: "flagged", human: "rejected" },
  },
  {
    id: "t06",
    ts: 50,
    task: "summarize",
    tags: [],
    spans: [],
    evaluations: [{ name: "No refund promises", score: 1 }],
    outcome: { status: "flagged", verdict: "flagged", human: "approved" },
  },
  { id: "t07", ts: 60, tags: [], spans: [], evaluations: [], outcome: { status: "pass", verdict: null } },
  {
    id: "t08",
    ts: 70,
    tags: [],
    spans: [
      { id: "turn", kind: "agent", name: "agent-turn", start: 70 },
      { id: "retry", parentSpanId: "turn", kind: "llm", name: "retry", start: 70.5, end: 71, model: "gpt-4o-mini" },
    ],
    evaluations: [],
    outcome: { status: "pass", verdict: "pass" },
  },
  {
    id: "t09",
    ts: 80,
    tags: [],
    spans: [{ id: "look", kind: "tool", name: "lookup_order", start: 80, end: 81, error: { message: "503" } }],
    evaluations: [],
    outcome: { status: "pass", verdict: "pass", human: "approved" },
  },
  { id: "t10", ts: 90, tags: [], metadata: { seats: 7.5 }, spans: [], evaluations: [], outcome: { status: "error", verdict: "error" } },
];

// ---------- what each seed is, by hand (the README's definitions) ----------

const nameOf = (s: Seed) => s.traceName ?? s.task ?? "search";
const startedAt = (s: Seed) => (s.spans.length ? Math.min(...s.spans.map((x) => ms(x.start))) : ms(s.ts));
const endedAt = (s: Seed) =>
  s.spans.length === 0
    ? ms(s.ts) + Math.round(s.latencyMs ?? 0)
    : s.spans.some((x) => x.end === undefined)
      ? null
      : Math.max(...s.spans.map((x) => ms(x.end!)));
const latency = (s: Seed) => (endedAt(s) === null ? null : endedAt(s)! - startedAt(s));
const spanCost = (s: Seed) => s.spans.reduce((sum, x) => sum + (x.costUsd ?? 0), 0);
const cost = (s: Seed) => (spanCost(s) > 0 ? spanCost(s) : (s.costUsd ?? null));
const tokens = (s: Seed) => s.spans.reduce((sum, x) => sum + (x.inputTokens ?? 0) + (x.outputTokens ?? 0), 0);
const traceStatus = (s: Seed) =>
  s.spans.some((x) => x.error !== undefined) ? "error" : s.spans.some((x) => x.end === undefined) ? "running" : "ok";
/** The status table of the README, row by row. */
const searchStatus = (s: Seed) => {
  const { status, verdict, human } = s.outcome;
  if (human === "rejected") return "cancelled";
  if (status === "pending" || traceStatus(s) === "running") return "pending";
  if (human === "approved") return "success";
  if (traceStatus(s) === "error") return "failure";
  if (verdict === "pass") return "success";
  if (verdict === "flagged") return "failure";
  if (verdict === "error") return "aborted";
  return "unknown";
};
const scores = (s: Seed, name: string) => s.evaluations.filter((e) => e.name === name).map((e) => e.score);
const has = (value: unknown) => value !== undefined && value !== null;
const text = (value: unknown) => (has(value) ? (typeof value === "string" ? value : JSON.stringify(value)) : undefined);
const icontains = (value: string | undefined, part: string) => value !== undefined && value.toLowerCase().includes(part.toLowerCase());

type Case = [filter: { column: string; operator: FilterOperator; value?: unknown }, expected: (s: Seed) => boolean];

/** Every operator of every column type, against at least one column each. */
const CASES: Case[] = [
  // string
  [{ column: "taskName", operator: "equals", value: "reply" }, (s) => s.task === "reply"],
  [{ column: "taskName", operator: "not_equals", value: "reply" }, (s) => s.task !== "reply"],
  [{ column: "name", operator: "contains", value: "CHECK" }, (s) => icontains(nameOf(s), "check")],
  [{ column: "name", operator: "not_contains", value: "check" }, (s) => !icontains(nameOf(s), "check")],
  [{ column: "name", operator: "starts_with", value: "check" }, (s) => nameOf(s).toLowerCase().startsWith("check")],
  [{ column: "name", operator: "ends_with", value: "RETRY" }, (s) => nameOf(s).toLowerCase().endsWith("retry")],
  [{ column: "sessionId", operator: "in", value: ["sess-a", "sess-b"] }, (s) => ["sess-a", "sess-b"].includes(s.sessionId ?? "")],
  [{ column: "sessionId", operator: "not_in", value: ["sess-a"] }, (s) => s.sessionId !== "sess-a"],
  [{ column: "subjectId", operator: "exists" }, (s) => has(s.subjectId)],
  [{ column: "subjectId", operator: "not_exists" }, (s) => !has(s.subjectId)],
  [{ column: "referenceId", operator: "equals", value: "cust-1" }, (s) => s.subjectId === "cust-1"],
  // % and _ are matched as themselves, not as wildcards
  [{ column: "model", operator: "contains", value: "1_m" }, (s) => icontains(s.model, "1_m")],
  [{ column: "model", operator: "ends_with", value: "%" }, (s) => s.model?.endsWith("%") === true],
  // number
  [{ column: "latency", operator: "equals", value: 250 }, (s) => latency(s) === 250],
  [{ column: "latency", operator: "not_equals", value: 250 }, (s) => latency(s) !== 250],
  [{ column: "latency", operator: "gt", value: 500 }, (s) => (latency(s) ?? -1) > 500],
  [{ column: "latency", operator: "gte", value: 1000 }, (s) => (latency(s) ?? -1) >= 1000],
  [{ column: "latency", operator: "lt", value: 1000 }, (s) => latency(s) !== null && latency(s)! < 1000],
  [{ column: "latency", operator: "lte", value: 250 }, (s) => latency(s) !== null && latency(s)! <= 250],
  [{ column: "latency", operator: "in", value: [250, 1000] }, (s) => [250, 1000].includes(latency(s) ?? -1)],
  [{ column: "latency", operator: "not_in", value: [250, 1000] }, (s) => ![250, 1000].includes(latency(s) ?? -1)],
  [{ column: "latency", operator: "exists" }, (s) => latency(s) !== null],
  [{ column: "latency", operator: "not_exists" }, (s) => latency(s) === null],
  [{ column: "cost", operator: "gte", value: 0.02 }, (s) => (cost(s) ?? -1) >= 0.02],
  [{ column: "cost", operator: "exists" }, (s) => cost(s) !== null],
  [{ column: "cost", operator: "not_exists" }, (s) => cost(s) === null],
  [{ column: "totalTokens", operator: "equals", value: 150 }, (s) => tokens(s) === 150],
  [{ column: "spanCount", operator: "gt", value: 0 }, (s) => s.spans.length > 0],
  // datetime (epoch ms or ISO text)
  [{ column: "startedAt", operator: "gt", value: ms(20) }, (s) => startedAt(s) > ms(20)],
  [{ column: "startedAt", operator: "gte", value: iso(21) }, (s) => startedAt(s) >= ms(21)],
  [{ column: "startedAt", operator: "lt", value: ms(21) }, (s) => startedAt(s) < ms(21)],
  [{ column: "startedAt", operator: "lte", value: iso(40) }, (s) => startedAt(s) <= ms(40)],
  [{ column: "startedAt", operator: "equals", value: iso(21) }, (s) => startedAt(s) === ms(21)],
  [{ column: "endedAt", operator: "gte", value: ms(40.25) }, (s) => (endedAt(s) ?? -1) >= ms(40.25)],
  [{ column: "endedAt", operator: "exists" }, (s) => endedAt(s) !== null],
  [{ column: "endedAt", operator: "not_exists" }, (s) => endedAt(s) === null],
  [{ column: "decidedAt", operator: "exists" }, (s) => has(s.outcome.human)],
  // enum
  ...TRACE_SEARCH_STATUSES.map((status): Case => [
    { column: "status", operator: "equals", value: status },
    (s) => searchStatus(s) === status,
  ]),
  [{ column: "status", operator: "not_equals", value: "success" }, (s) => searchStatus(s) !== "success"],
  [{ column: "status", operator: "in", value: ["cancelled", "aborted"] }, (s) => ["cancelled", "aborted"].includes(searchStatus(s))],
  [{ column: "status", operator: "not_in", value: ["pending", "success"] }, (s) => !["pending", "success"].includes(searchStatus(s))],
  [{ column: "humanDecision", operator: "equals", value: "rejected" }, (s) => s.outcome.human === "rejected"],
  [{ column: "humanDecision", operator: "exists" }, (s) => has(s.outcome.human)],
  [{ column: "humanDecision", operator: "not_exists" }, (s) => !has(s.outcome.human)],
  [{ column: "traceStatus", operator: "equals", value: "running" }, (s) => traceStatus(s) === "running"],
  [{ column: "verdict", operator: "in", value: ["flagged", "error"] }, (s) => ["flagged", "error"].includes(s.outcome.status)],
  [{ column: "spanKind", operator: "equals", value: "tool" }, (s) => s.spans.some((x) => x.kind === "tool")],
  [{ column: "spanKind", operator: "not_equals", value: "tool" }, (s) => !s.spans.some((x) => x.kind === "tool")],
  [{ column: "spanKind", operator: "exists" }, (s) => s.spans.length > 0],
  [{ column: "spanKind", operator: "not_exists" }, (s) => s.spans.length === 0],
  // array (tags)
  [{ column: "tags", operator: "contains", value: "vip" }, (s) => s.tags.includes("vip")],
  [{ column: "tags", operator: "not_contains", value: "vip" }, (s) => !s.tags.includes("vip")],
  [{ column: "tags", operator: "in", value: ["staging", "nope"] }, (s) => s.tags.some((t) => ["staging", "nope"].includes(t))],
  [{ column: "tags", operator: "not_in", value: ["prod", "staging"] }, (s) => !s.tags.some((t) => ["prod", "staging"].includes(t))],
  [{ column: "tags", operator: "exists" }, (s) => s.tags.length > 0],
  [{ column: "tags", operator: "not_exists" }, (s) => s.tags.length === 0],
  // json: metadata.<key> (a number compares JSON numbers, a text compares the value's text)
  [{ column: "metadata.tier", operator: "equals", value: "gold" }, (s) => s.metadata?.tier === "gold"],
  [{ column: "metadata.tier", operator: "not_equals", value: "gold" }, (s) => s.metadata?.tier !== "gold"],
  [{ column: "metadata.seats", operator: "equals", value: 5 }, (s) => s.metadata?.seats === 5],
  [{ column: "metadata.seats", operator: "equals", value: "5" }, (s) => text(s.metadata?.seats) === "5"],
  [{ column: "metadata.seats", operator: "gt", value: 6 }, (s) => typeof s.metadata?.seats === "number" && s.metadata.seats > 6],
  [{ column: "metadata.seats", operator: "gte", value: 7.5 }, (s) => typeof s.metadata?.seats === "number" && s.metadata.seats >= 7.5],
  [{ column: "metadata.seats", operator: "lt", value: 10 }, (s) => typeof s.metadata?.seats === "number" && s.metadata.seats < 10],
  [{ column: "metadata.seats", operator: "lte", value: 5 }, (s) => typeof s.metadata?.seats === "number" && s.metadata.seats <= 5],
  [{ column: "metadata.seats", operator: "in", value: [5, 12] }, (s) => [5, 12].includes(s.metadata?.seats as number)],
  [
    { column: "metadata.tier", operator: "not_in", value: ["gold", "silver"] },
    (s) => !["gold", "silver"].includes(s.metadata?.tier as string),
  ],
  [{ column: "metadata.region", operator: "contains", value: "EAST" }, (s) => icontains(text(s.metadata?.region), "east")],
  [{ column: "metadata.region", operator: "not_contains", value: "east" }, (s) => !icontains(text(s.metadata?.region), "east")],
  [
    { column: "metadata.region", operator: "starts_with", value: "eu" },
    (s) => text(s.metadata?.region)?.toLowerCase().startsWith("eu") === true,
  ],
  [{ column: "metadata.region", operator: "ends_with", value: "_east" }, (s) => text(s.metadata?.region)?.endsWith("_east") === true],
  [{ column: "metadata.tier", operator: "exists" }, (s) => has(s.metadata?.tier)],
  [{ column: "metadata.tier", operator: "not_exists" }, (s) => !has(s.metadata?.tier)],
  // json: attributes.<key> of any span (keys with dots are one key)
  [
    { column: "attributes.gen_ai.system", operator: "equals", value: "openai" },
    (s) => s.spans.some((x) => x.attributes?.["gen_ai.system"] === "openai"),
  ],
  [{ column: "attributes.retries", operator: "gte", value: 2 }, (s) => s.spans.some((x) => ((x.attributes?.retries as number) ?? -1) >= 2)],
  [
    { column: "attributes.http.status", operator: "in", value: [500, 503] },
    (s) => s.spans.some((x) => [500, 503].includes(x.attributes?.["http.status"] as number)),
  ],
  [{ column: "attributes.http.status", operator: "not_exists" }, (s) => !s.spans.some((x) => has(x.attributes?.["http.status"]))],
  // spans' names and models
  [{ column: "spanName", operator: "equals", value: "lookup_order" }, (s) => s.spans.some((x) => x.name === "lookup_order")],
  [{ column: "spanName", operator: "contains", value: "TURN" }, (s) => s.spans.some((x) => icontains(x.name, "turn"))],
  [{ column: "spanName", operator: "not_contains", value: "turn" }, (s) => !s.spans.some((x) => icontains(x.name, "turn"))],
  [{ column: "spanName", operator: "in", value: ["plan", "retry"] }, (s) => s.spans.some((x) => ["plan", "retry"].includes(x.name))],
  [{ column: "spanModel", operator: "starts_with", value: "gpt-4o" }, (s) => s.spans.some((x) => x.model?.startsWith("gpt-4o"))],
  // evaluations.<name>: the score of the trace's evaluations with that name
  [{ column: "evaluations.tone", operator: "gt", value: 0.5 }, (s) => scores(s, "tone").some((v) => v > 0.5)],
  [{ column: "evaluations.tone", operator: "lte", value: 0.5 }, (s) => scores(s, "tone").some((v) => v <= 0.5)],
  [{ column: "evaluations.tone", operator: "equals", value: 0.9 }, (s) => scores(s, "tone").includes(0.9)],
  [{ column: "evaluations.tone", operator: "not_equals", value: 0.9 }, (s) => !scores(s, "tone").includes(0.9)],
  [{ column: "evaluations.tone", operator: "exists" }, (s) => scores(s, "tone").length > 0],
  [{ column: "evaluations.tone", operator: "not_exists" }, (s) => scores(s, "tone").length === 0],
  [{ column: "evaluations.No refund promises", operator: "equals", value: 1 }, (s) => scores(s, "No refund promises").includes(1)],
  [{ column: "evaluator", operator: "equals", value: "acme.checks" }, (s) => s.evaluations.length > 0],
];

const ITEM_KEYS = [
  "id",
  "name",
  "startedAt",
  "endedAt",
  "latency",
  "referenceId",
  "sessionId",
  "attributes",
  "tags",
  "totalCost",
  "totalInputTokens",
  "totalOutputTokens",
  "spanIds",
  "createdAt",
  "updatedAt",
].sort();

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const one = (filter: unknown) => ({ projectId: "search", filters: [filter] });
const f = (column: unknown, operator: unknown, value?: unknown) => one({ column, operator, value });

/** A hostile request: its body (or raw text), and the field its 400 must name (or 404 for an unknown project). */
type Hostile = { body?: unknown; raw?: string; field: string; status?: 404 };
const column = (c: unknown): Hostile => ({ body: f(c, "equals", "x"), field: "filters.0.column" });
const operator = (c: string, op: unknown, value?: unknown): Hostile => ({ body: f(c, op, value), field: "filters.0.operator" });
const value = (c: string, op: string, v: unknown): Hostile => ({ body: f(c, op, v), field: "filters.0.value" });
const field = (name: string, v: unknown): Hostile => ({ body: { projectId: "search", [name]: v }, field: name });

const HOSTILE: Hostile[] = [
  // columns: SQL in names and keys, unknown names, wrong types
  ...[
    "x'; DROP TABLE logs; --",
    "metadata.x'); DROP TABLE logs; --",
    'attributes.x"; DELETE FROM spans; --',
    "attributes.a b",
    "metadata.",
    "evaluations.",
    "evaluations.line\nbreak",
    "",
    "ID",
    "tags[0]",
    "l.id",
    "1=1",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "metadata",
    ".tier",
    "metadata.🙂",
    `metadata.${"k".repeat(201)}`,
    `evaluations.${"k".repeat(201)}`,
    "spans.name",
    "startedAt; SELECT pg_sleep(10)",
    "a".repeat(100_000),
    42,
    null,
    true,
    ["id"],
    { toString: "id" },
  ].map(column),
  { body: one({ operator: "equals", value: "x" }), field: "filters.0.column" },
  // operators: SQL, case, wrong types, not fitting the column's type
  ...["DROP TABLE logs", "equals; --", "=", "EQUALS", "", null, 1, {}, [], "__proto__", "constructor", "regex"].map((op) =>
    operator("id", op, "x"),
  ),
  { body: one({ column: "id", value: "x" }), field: "filters.0.operator" },
  operator("tags", "gt", 1),
  operator("tags", "equals", "x"),
  operator("latency", "contains", "1"),
  operator("latency", "starts_with", "1"),
  operator("status", "exists"),
  operator("verdict", "not_exists"),
  operator("startedAt", "in", [1]),
  operator("startedAt", "not_equals", 1),
  operator("startedAt", "contains", "2026"),
  operator("spanKind", "contains", "to"),
  operator("metadata.x", "regex", ".*"),
  operator("evaluations.tone", "starts_with", "0"),
  operator("evaluations.tone", "contains", "0"),
  // values: wrong types, sizes, nesting, NUL
  value("id", "equals", 5),
  value("id", "equals", true),
  value("id", "equals", null),
  value("id", "equals", ["a"]),
  value("id", "equals", { a: 1 }),
  value("id", "equals", { nested: { deep: [1, { deeper: true }] } }),
  value("id", "equals", "x".repeat(1_001)),
  value("id", "equals", "x".repeat(1_000_000)),
  value("id", "equals", "a\u0000b"),
  { body: one({ column: "id", operator: "equals" }), field: "filters.0.value" },
  value("id", "in", []),
  value("id", "in", "a"),
  value("id", "in", [1]),
  value("id", "in", Array(101).fill("a")),
  value("id", "in", ["a", null]),
  value("id", "in", [["a"]]),
  value("id", "not_in", ["x".repeat(1_001)]),
  value("name", "contains", 1),
  value("name", "starts_with", { $regex: ".*" }),
  value("latency", "gt", "1"),
  value("latency", "gt", "1; DROP TABLE logs"),
  value("latency", "gt", null),
  value("latency", "in", ["1"]),
  value("latency", "equals", true),
  value("latency", "in", Array(101).fill(1)),
  value("latency", "in", []),
  { raw: '{"projectId":"search","filters":[{"column":"latency","operator":"gt","value":1e400}]}', field: "filters.0.value" },
  { raw: '{"projectId":"search","filters":[{"column":"metadata.seats","operator":"lt","value":-1e999}]}', field: "filters.0.value" },
  value("startedAt", "gt", "yesterday"),
  value("startedAt", "gt", "2026-13-01"),
  value("startedAt", "gt", "2026-02-30"),
  value("startedAt", "gt", -1),
  value("startedAt", "gt", 1.5),
  value("startedAt", "gt", 1e20),
  value("startedAt", "gt", "'; DROP TABLE logs; --"),
  value("startedAt", "equals", {}),
  value("endedAt", "lt", [1]),
  value("status", "equals", "SUCCESS"),
  value("status", "equals", "ok"),
  value("status", "equals", "success' OR '1'='1"),
  value("status", "in", ["success", "nope"]),
  value("humanDecision", "equals", "maybe"),
  value("spanKind", "in", ["tool", "robot"]),
  value("tags", "contains", ["vip"]),
  value("tags", "in", "vip"),
  value("tags", "contains", 1),
  value("tags", "not_in", Array(101).fill("t")),
  value("metadata.tier", "equals", { a: 1 }),
  value("metadata.tier", "equals", true),
  value("metadata.tier", "contains", 5),
  value("metadata.seats", "gt", "5"),
  value("metadata.seats", "in", [1, "a"]),
  value("metadata.seats", "in", []),
  value("attributes.retries", "lte", [2]),
  value("evaluations.tone", "gt", "0.5"),
  value("evaluations.tone", "in", ["0.5"]),
  value("id", "exists", "x"),
  value("tags", "not_exists", []),
  value("metadata.tier", "exists", false),
  // the filters list itself
  field("filters", "x"),
  field("filters", {}),
  field("filters", 5),
  field("filters", true),
  field("filters", Array(21).fill({ column: "tags", operator: "exists" })),
  { body: { projectId: "search", filters: [null] }, field: "filters.0" },
  { body: { projectId: "search", filters: ["id = 1"] }, field: "filters.0" },
  { body: { projectId: "search", filters: [[{ column: "id" }]] }, field: "filters.0" },
  { body: { projectId: "search", filters: [{ column: "tags", operator: "exists" }, 7] }, field: "filters.1" },
  // cursors
  ...[
    "garbage",
    "%%%",
    "' OR 1=1 --",
    b64([1, 2, 3]),
    b64(["startedAt:desc", "x", "id"]),
    b64(["startedAt:desc", 1, ""]),
    b64(["startedAt:desc", 1]),
    b64(["other", 1, "a"]),
    b64(["startedAt:desc", 1.5, "a"]),
    b64('["startedAt:desc",1e300,"a"]'),
    b64({ a: 1 }),
    b64("not json"),
    b64(["startedAt:asc", 0, "a"]),
    5,
    {},
    "a".repeat(1_001),
  ].map((cursor) => field("cursor", cursor)),
  // sorts and limits
  ...["startedAt", "endedAt:desc", "startedAt:DESC", 1, ["startedAt:asc"], "startedAt:asc; DROP TABLE logs"].map((sort) =>
    field("sort", sort),
  ),
  ...[0, 201, -1, 1.5, "50", true, 1e9, {}].map((limit) => field("limit", limit)),
  // the flat parameters
  { body: {}, field: "projectId" },
  { body: { filters: [] }, field: "projectId" },
  field("projectId", "   "),
  field("projectId", 5),
  field("projectId", "x".repeat(201)),
  field("projectId", {}),
  { body: { projectId: "nope'; DROP TABLE projects; --" }, field: "", status: 404 },
  { body: { projectId: "00000000-0000-0000-0000-000000000000" }, field: "", status: 404 },
  field("startedAfter", "yesterday"),
  field("startedAfter", 1.5),
  field("startedAfter", -5),
  field("startedAfter", {}),
  field("startedBefore", "2026-05-01"),
  field("status", "ok"),
  field("status", "SUCCESS"),
  field("name", "x".repeat(201)),
  field("name", 5),
  field("referenceId", {}),
  field("sessionId", []),
  // not a JSON object at all
  { raw: "[]", field: "body" },
  { raw: '"filters"', field: "body" },
  { raw: "{", field: "body" },
];

interface Page {
  pagination: { limit: number; returned: number; hasMore: boolean; nextCursor: string | null };
  traces: { id: string; startedAt: number; [key: string]: unknown }[];
}

describe.each(["postgres", "pglite"] as const)("%s", (backend) => {
  let server: TestServer;
  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => server.running.deps.db.sql.query<T>(text, params);
  const search = (body: Record<string, unknown>, token?: string): Promise<ApiResponse<Page>> =>
    server.call("POST", "/api/traces/search", body, token === undefined ? {} : { token });
  const ids = async (body: Record<string, unknown>) => {
    const res = await search({ projectId: "search", limit: 200, ...body });
    expect({ body, status: res.status }).toEqual({ body, status: 200 });
    return res.body.traces.map((t) => t.id);
  };
  const expectedIds = (keep: (s: Seed) => boolean) =>
    SEEDS.filter(keep)
      .sort((a, b) => startedAt(b) - startedAt(a))
      .map((s) => s.id);

  beforeAll(async () => {
    server = await startTestServerOn(backend, { TRACIRA_WORKER: "false" });
    for (const s of SEEDS) {
      const res = await server.call("POST", "/api/logs", {
        id: s.id,
        project: "search",
        output: "o",
        timestamp: iso(s.ts),
        task: s.task,
        trace: s.traceName ? { name: s.traceName } : undefined,
        sessionId: s.sessionId,
        subjectId: s.subjectId,
        model: s.model,
        tags: s.tags,
        metadata: s.metadata,
        latencyMs: s.latencyMs,
        costUsd: s.costUsd,
        spans: s.spans.map(({ start, end, ...span }) => ({
          ...span,
          startedAt: iso(start),
          endedAt: end === undefined ? undefined : iso(end),
        })),
      });
      expect({ id: s.id, status: res.status }).toEqual({ id: s.id, status: 200 });
      if (s.evaluations.length) {
        const evaluations = s.evaluations.map((e, i) => ({ id: `e${i}`, evaluator: "acme.checks", name: e.name, score: e.score }));
        expect((await server.call("POST", `/api/logs/${s.id}/evaluations`, { evaluations })).status).toBe(200);
      }
      const { status, verdict, human } = s.outcome;
      await sql(
        `UPDATE logs SET status = $2::log_status, verdict = $3::log_status, human_decision = $4::human_decision,
           decided_at = CASE WHEN $4::text IS NULL THEN NULL ELSE now() END WHERE id = $1`,
        [s.id, status, verdict, human ?? null],
      );
    }
  });
  afterAll(() => server?.close());

  test("the answer has exactly the documented shape; times are epoch ms, spanIds in tree order", async () => {
    const res = await search({ projectId: "search", limit: 3 });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["pagination", "traces"]);
    expect(Object.keys(res.body.pagination).sort()).toEqual(["hasMore", "limit", "nextCursor", "returned"]);
    expect(res.body.pagination).toMatchObject({ limit: 3, returned: 3, hasMore: true, nextCursor: expect.any(String) });
    for (const trace of res.body.traces) expect(Object.keys(trace).sort()).toEqual(ITEM_KEYS);
    expect(res.body.traces.map((t) => t.id)).toEqual(expectedIds(() => true).slice(0, 3));

    const [t01] = (await search({ projectId: "search", referenceId: "cust-1", startedBefore: ms(0) })).body.traces;
    const seed = SEEDS[0]!;
    expect(t01).toEqual({
      id: "t01",
      name: "checkout",
      startedAt: startedAt(seed),
      endedAt: endedAt(seed),
      latency: 4000,
      referenceId: "cust-1",
      sessionId: "sess-a",
      attributes: seed.metadata,
      tags: ["prod", "vip"],
      totalCost: 0.02,
      totalInputTokens: 100,
      totalOutputTokens: 50,
      spanIds: ["turn", "plan"],
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    // A one-step trace starts at its timestamp and lasts its latencyMs; its cost is the log's.
    const [t02] = (await search({ projectId: "search", filters: [{ column: "id", operator: "equals", value: "t02" }] })).body.traces;
    expect(t02).toMatchObject({
      startedAt: ms(10),
      endedAt: ms(10) + 250,
      latency: 250,
      totalCost: 0.005,
      spanIds: [],
      referenceId: "cust-2",
    });
    const [t04] = (await search({ projectId: "search", filters: [{ column: "id", operator: "equals", value: "t04" }] })).body.traces;
    expect(t04).toMatchObject({ endedAt: null, latency: null, totalCost: null, attributes: {} });
  });

  test("every operator of every column type narrows to exactly the traces computed from the seeds", async () => {
    for (const [filter, keep] of CASES) {
      const got = await ids({ filters: [filter] });
      expect({ filter, ids: got }).toEqual({ filter, ids: expectedIds(keep) });
    }
    // Each type's every operator was exercised above.
    const covered = new Set(CASES.map(([f]) => `${(resolveFilterColumn(f.column) as { type: string }).type}:${f.operator}`));
    for (const [type, operators] of Object.entries(OPERATORS_BY_TYPE)) {
      for (const operator of operators) expect(covered).toContain(`${type}:${operator}`);
    }
    // Filters are ANDed.
    expect(
      await ids({
        filters: [
          { column: "tags", operator: "contains", value: "prod" },
          { column: "metadata.tier", operator: "exists" },
        ],
      }),
    ).toEqual(expectedIds((s) => s.tags.includes("prod") && has(s.metadata?.tier)));
  });

  test("flat parameters: startedAfter/Before (inclusive), status, name (trace or span), referenceId, sessionId, ANDed with filters", async () => {
    expect(await ids({ startedAfter: ms(21), startedBefore: ms(50) })).toEqual(
      expectedIds((s) => startedAt(s) >= ms(21) && startedAt(s) <= ms(50)),
    );
    for (const status of TRACE_SEARCH_STATUSES) expect(await ids({ status })).toEqual(expectedIds((s) => searchStatus(s) === status));
    expect(await ids({ name: "CHECKOUT" })).toEqual(expectedIds((s) => icontains(nameOf(s), "checkout")));
    expect(await ids({ name: "plan" })).toEqual(
      expectedIds((s) => icontains(nameOf(s), "plan") || s.spans.some((x) => icontains(x.name, "plan"))),
    );
    expect(await ids({ name: "summ" })).toEqual(expectedIds((s) => icontains(nameOf(s), "summ")));
    expect(await ids({ referenceId: "cust-1" })).toEqual(expectedIds((s) => s.subjectId === "cust-1"));
    expect(await ids({ sessionId: "sess-a" })).toEqual(expectedIds((s) => s.sessionId === "sess-a"));
    expect(await ids({ sessionId: "sess-a", filters: [{ column: "tags", operator: "contains", value: "vip" }] })).toEqual(
      expectedIds((s) => s.sessionId === "sess-a" && s.tags.includes("vip")),
    );
    expect(await ids({ referenceId: "cust-1", status: "cancelled", startedAfter: ms(1) })).toEqual(
      expectedIds((s) => s.subjectId === "cust-1" && searchStatus(s) === "cancelled" && startedAt(s) >= ms(1)),
    );
    // The project by its id works as by its name.
    const [project] = await sql<{ id: string }>(`SELECT id FROM projects WHERE name = 'search'`);
    expect(await ids({ projectId: project!.id })).toEqual(expectedIds(() => true));
  });

  test("GET /api/logs?filters= narrows the list the same way; a bad filter is a 400 naming it", async () => {
    const list = async (filters: unknown[]) => {
      const res = await server.call("GET", `/api/logs?project=search&limit=100&filters=${encodeURIComponent(JSON.stringify(filters))}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(res.body.executions.length);
      return res.body.executions.map((l: { id: string }) => l.id).sort();
    };
    const expected = (keep: (s: Seed) => boolean) => expectedIds(keep).sort();
    expect(await list([{ column: "tags", operator: "contains", value: "vip" }])).toEqual(expected((s) => s.tags.includes("vip")));
    expect(
      await list([
        { column: "metadata.tier", operator: "equals", value: "gold" },
        { column: "spanName", operator: "equals", value: "plan" },
      ]),
    ).toEqual(["t01"]);
    expect(await list([{ column: "status", operator: "in", value: ["success", "failure"] }])).toEqual(
      expected((s) => ["success", "failure"].includes(searchStatus(s))),
    );
    expect(await list([{ column: "evaluations.tone", operator: "exists" }])).toEqual(expected((s) => scores(s, "tone").length > 0));
    // The summary counts the filtered logs.
    const narrowed = await server.call(
      "GET",
      `/api/logs?project=search&filters=${encodeURIComponent(JSON.stringify([{ column: "verdict", operator: "equals", value: "flagged" }]))}`,
    );
    const flagged = SEEDS.filter((s) => s.outcome.status === "flagged");
    expect(narrowed.body.summary).toEqual({
      totalRuns: flagged.length,
      failuresDetected: flagged.length,
      pendingReviews: flagged.filter((s) => !s.outcome.human).length,
      successRate: 0,
    });

    const bad = await server.call(
      "GET",
      `/api/logs?filters=${encodeURIComponent(JSON.stringify([{ column: "nope", operator: "equals", value: 1 }]))}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: "invalid_request",
      error: expect.any(String),
      fields: { "filters.0.column": expect.any(String) },
    });
    const notJson = await server.call("GET", `/api/logs?filters=${encodeURIComponent("[{")}`);
    expect(notJson.body).toMatchObject({ code: "invalid_request", fields: { filters: expect.any(String) } });

    // The dashboard's logs.list takes the same filters, as the JSON text or as the array itself.
    const dashboard = dashboardClient(server.url);
    await dashboard.trpc.auth.signUp.mutate({ email: "ana@example.com", password: "correct horse battery", claimToken: server.token });
    const vip = [{ column: "tags", operator: "contains", value: "vip" }];
    for (const filters of [vip, JSON.stringify(vip)]) {
      const page = await dashboard.trpc.logs.list.query({ project: "search", filters });
      expect(page.executions.map((l) => l.id).sort()).toEqual(expected((s) => s.tags.includes("vip")));
    }
    expect(await failureOf(dashboard.trpc.logs.list.query({ filters: [{ column: "nope", operator: "equals" }] }))).toMatchObject({
      status: 400,
      fields: { "filters.0.column": expect.any(String) },
    });
  });

  test("the cursor walks 1,000+ traces once each, in both orders, while new traces arrive", async () => {
    const TOTAL = 1_000;
    expect((await server.call("POST", "/api/logs", { id: "w-first", project: "walk", output: "o", timestamp: iso(-1) })).status).toBe(200);
    // Seeded by SQL: 1,000 traces, seven to a second (the id breaks the ties).
    await sql(
      `INSERT INTO logs (id, workspace_id, project_id, output, timestamp, started_at)
       SELECT 'w-' || lpad(n::text, 4, '0'), l.workspace_id, l.project_id, 'o', t, t
       FROM generate_series(0, ${TOTAL - 1}) n, logs l, LATERAL (SELECT $1::timestamptz + (n / 7) * interval '1 second' AS t) x
       WHERE l.id = 'w-first'`,
      [iso(0)],
    );
    const seeded = [
      { id: "w-first", at: ms(-1) },
      ...Array.from({ length: TOTAL }, (_, n) => ({ id: `w-${String(n).padStart(4, "0")}`, at: ms(Math.floor(n / 7)) })),
    ];
    const ascending = [...seeded].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1)).map((t) => t.id);

    let late = 0;
    const walk = async (sort: "startedAt:asc" | "startedAt:desc") => {
      const seen: string[] = [];
      const arrived: string[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse<Page> = await search({ projectId: "walk", sort, limit: 97, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        expect(res.body.pagination.returned).toBe(res.body.traces.length);
        expect(res.body.pagination.hasMore).toBe(res.body.pagination.nextCursor !== null);
        seen.push(...res.body.traces.map((t) => t.id));
        cursor = res.body.pagination.nextCursor;
        // New traces arrive between pages: one now (after every seeded one), one inside the walked range.
        for (const timestamp of [undefined, iso(50)]) {
          const id = `late-${late++}`;
          arrived.push(id);
          expect((await server.call("POST", "/api/logs", { id, project: "walk", output: "late", timestamp })).status).toBe(200);
        }
      } while (cursor);
      return { seen, arrived };
    };

    const desc = await walk("startedAt:desc");
    expect(new Set(desc.seen).size).toBe(desc.seen.length);
    expect(desc.seen.filter((id) => id.startsWith("w-"))).toEqual([...ascending].reverse());
    // Newest first: the traces that arrived "now" start before the walk's position, so none of them is visited.
    expect(desc.seen.filter((id) => id.startsWith("late-")).every((id) => Number(id.slice(5)) % 2 === 1)).toBe(true);

    const asc = await walk("startedAt:asc");
    expect(new Set(asc.seen).size).toBe(asc.seen.length);
    expect(asc.seen.filter((id) => id.startsWith("w-"))).toEqual(ascending);
    // Oldest first: everything that arrived "now" during the walk lies ahead of it and is visited, once.
    const arrivedNow = asc.arrived.filter((id) => Number(id.slice(5)) % 2 === 0);
    expect(arrivedNow.slice(0, -2).every((id) => asc.seen.includes(id))).toBe(true);
  });

  test("100+ hostile bodies: each a 400 naming the field (404 for an unknown project), never a 5xx; nothing changes", async () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(100);
    const snapshot = async () => ({
      counts: await sql(
        `SELECT (SELECT count(*)::int FROM logs) AS logs, (SELECT count(*)::int FROM spans) AS spans,
           (SELECT count(*)::int FROM evaluations) AS evaluations, (SELECT count(*)::int FROM projects) AS projects`,
      ),
      traces: (await search({ projectId: "search", limit: 200 })).body,
    });
    const before = await snapshot();
    for (const [i, hostile] of HOSTILE.entries()) {
      const res = hostile.raw
        ? await server.call("POST", "/api/traces/search", undefined, { raw: hostile.raw, headers: { "content-type": "application/json" } })
        : await search(hostile.body as Record<string, unknown>);
      const want = hostile.status ?? 400;
      const named = hostile.status ? true : Object.hasOwn(res.body?.fields ?? {}, hostile.field);
      expect({ i, field: hostile.field, status: res.status, named }).toEqual({ i, field: hostile.field, status: want, named: true });
      expect(typeof res.body.error).toBe("string");
      expect(res.body.code).toBe(want === 404 ? "not_found" : "invalid_request");
      expect(Object.keys(res.body).every((key) => ["error", "code", "fields"].includes(key))).toBe(true);
    }
    // Hostile text where text is allowed is a value like any other: bound, matched literally, found nowhere.
    for (const filter of [
      { column: "id", operator: "equals", value: "'; DROP TABLE logs; --" },
      { column: "name", operator: "contains", value: "%" },
      { column: "name", operator: "contains", value: "_" },
      { column: "metadata.tier", operator: "equals", value: "gold' OR '1'='1" },
      { column: "evaluations.x'); DROP TABLE evaluations; --", operator: "gt", value: 0 },
      { column: "attributes.x:y-z_w.v", operator: "in", value: ["'", '"', "\\"] },
    ]) {
      expect(await ids({ filters: [filter] })).toEqual([]);
    }
    expect(await snapshot()).toEqual(before);
  });

  test("bad cursors, sorts and limits are 400s naming the field; another workspace's project is a 404; OpenAPI lists the route", async () => {
    const first = await search({ projectId: "search", limit: 2 });
    const cursor = first.body.pagination.nextCursor!;
    const other = await search({ projectId: "search", limit: 2, sort: "startedAt:asc", cursor });
    expect(other).toMatchObject({ status: 400, body: { code: "invalid_request", fields: { cursor: expect.any(String) } } });
    const next = await search({ projectId: "search", limit: 2, cursor });
    expect(next.body.traces.map((t) => t.id)).toEqual(expectedIds(() => true).slice(2, 4));

    const stranger = await server.newWorkspace("Search stranger");
    const [project] = await sql<{ id: string }>(`SELECT id FROM projects WHERE name = 'search'`);
    for (const projectId of ["search", project!.id]) {
      const res = await search({ projectId }, stranger);
      expect(res).toMatchObject({ status: 404, body: { code: "not_found", error: expect.any(String) } });
    }
    expect((await search({ projectId: "no-such-project" })).status).toBe(404);

    const doc = (await server.call("GET", "/api/openapi.json", undefined, { token: null })).body;
    expect(doc.paths["/api/traces/search"]?.post).toBeDefined();
    expect(doc.paths["/api/logs"].get.parameters.map((p: { name: string }) => p.name)).toContain("filters");
  });
});
