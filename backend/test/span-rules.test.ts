import { EvaluateRuleResponse, Rule, TraceDetail, type TraceEvaluation } from "@tracira/shared";
import { FAKE_PASS, startFakeLlm, type FakeLlm } from "./helpers/fake-llm";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { until } from "./helpers/until";

/**
 * Rules on spans (target "spans"): each matching span of a trace is checked, the rule's outcome for the
 * trace is folded from theirs, and each checked span gets its own evaluation. The worker runs (the
 * default), so the same trace goes through the sync gate and through the worker.
 */
let db: TestDatabase;
let fake: FakeLlm;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeLlm();
  server = await startTestServer({
    DATABASE_URL: db.url,
    OPENAI_API_KEY: "sk-server-openai",
    OPENAI_BASE_URL: `${fake.url}/v1`,
    TRACIRA_JUDGE_TIMEOUT_MS: "5000",
  });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
  await db?.drop();
});

const call: TestServer["call"] = (...args) => server.call(...args);
const at = (s: number) => new Date(Date.UTC(2026, 4, 1, 12, 0, s)).toISOString();

interface SentSpan {
  id: string;
  parentSpanId?: string;
  kind: string;
  name: string;
  startedAt: string;
  input?: unknown;
  output?: unknown;
}

/** An agent turn: an llm span, then three tool spans; only the third tool span leaks the word "secret". */
const SPANS: SentSpan[] = [
  { id: "turn", kind: "agent", name: "agent-turn", startedAt: at(0), output: "Your order has shipped." },
  { id: "plan", parentSpanId: "turn", kind: "llm", name: "plan", startedAt: at(1), input: "find the order", output: "Look it up." },
  { id: "tool-1", parentSpanId: "turn", kind: "tool", name: "search", startedAt: at(2), input: { q: "order" }, output: { hits: 2 } },
  { id: "tool-2", parentSpanId: "turn", kind: "tool", name: "lookup", startedAt: at(3), input: { id: "A-1" }, output: "shipped" },
  { id: "tool-3", parentSpanId: "turn", kind: "tool", name: "search", startedAt: at(4), output: { text: "the secret code is 42" } },
];
const OUTPUT = "Your order has shipped.";
const TOOL_SPANS = SPANS.filter((s) => s.kind === "tool");
const LEAK = SPANS.find((s) => s.id === "tool-3")!;
const named = (s: SentSpan) => `Span "${s.name}" (${s.id}, ${s.kind})`;
const LEAK_SENTENCE = `${named(LEAK)}: Forbidden keyword found in the span's output: "secret".`;
const clean = (s: SentSpan) => `${named(s)}: No forbidden keyword in the span's output.`;

let projectSeq = 0;
/** Each test has its own project, so rules of other tests never apply. */
const newProject = () => `span-rules-${++projectSeq}`;

async function createRule(body: Record<string, unknown>): Promise<Rule> {
  const res = await call("POST", "/api/rules", body);
  expect(res.status).toBe(201);
  return Rule.parse(res.body);
}

const leakRule = (project: string, extra: Record<string, unknown> = {}) =>
  createRule({
    name: "No secrets in tools",
    type: "keyword_forbidden",
    value: "secret",
    projectName: project,
    target: "spans",
    spanKind: "tool",
    ...extra,
  });

async function sendTrace(project: string, sync: boolean, spans: SentSpan[] = SPANS) {
  const res = await call("POST", "/api/logs", { project, output: OUTPUT, sync, spans });
  expect(res.status).toBe(200);
  // Sent async, the answer is "pending": the worker evaluates it.
  if (!sync) expect(res.body.status).toBe("pending");
  return res.body.id as string;
}

async function finalLog(id: string) {
  const status = await until(`log ${id} evaluated`, async () => {
    const res = await call("GET", `/api/logs/${id}/status`);
    return res.body.status === "pending" ? undefined : res.body.status;
  });
  const detail = (await call("GET", `/api/logs/${id}`)).body;
  return { status, detail };
}

async function traceOf(id: string): Promise<TraceDetail> {
  const res = await call("GET", `/api/traces/${id}`);
  expect(res.status).toBe(200);
  return TraceDetail.parse(res.body);
}

/** The span evaluations as comparable across traces: everything but the trace id and the time. */
const spanEvaluations = (trace: TraceDetail) =>
  trace.evaluations.filter((e) => e.span_id !== null).map(({ trace_id: _t, created_at: _c, ...rest }: TraceEvaluation) => rest);

describe("a span rule on a trace", () => {
  test("flags the trace whose third tool span leaks; each tool span gets its own evaluation, the llm span none", async () => {
    const project = newProject();
    const rule = await leakRule(project);
    expect(rule).toMatchObject({ target: "spans", spanKind: "tool", spanName: null });

    const id = await sendTrace(project, true);
    const { status, detail } = await finalLog(id);
    expect(status).toBe("flagged");
    expect(detail.explanation).toBe(`${rule.name}: ${LEAK_SENTENCE}`);
    expect(detail.appliedRules).toEqual([
      {
        ruleId: rule.id,
        ruleName: rule.name,
        ruleType: "keyword_forbidden",
        ruleValue: "secret",
        scope: "project",
        outcome: "triggered",
        explanation: LEAK_SENTENCE,
      },
    ]);

    const trace = await traceOf(id);
    const own = trace.evaluations.filter((e) => e.span_id === null);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ id: `rule:${rule.id}`, evaluator: "rule.keyword_forbidden", label: "fail", score: 0 });
    expect(own[0]!.metadata).toMatchObject({ ruleId: rule.id, target: "spans", spanKind: "tool", spanName: null });
    const bySpan = new Map(trace.evaluations.filter((e) => e.span_id !== null).map((e) => [e.span_id, e]));
    expect([...bySpan.keys()].sort()).toEqual(TOOL_SPANS.map((s) => s.id).sort());
    for (const span of TOOL_SPANS) {
      const leaked = span.id === LEAK.id;
      expect(bySpan.get(span.id)).toMatchObject({
        id: `rule:${rule.id}:${span.id}`,
        evaluator: "rule.keyword_forbidden",
        evaluator_version: own[0]!.evaluator_version,
        name: rule.name,
        label: leaked ? "fail" : "pass",
        score: leaked ? 0 : 1,
        reason: leaked ? LEAK_SENTENCE : clean(span),
        metadata: expect.objectContaining({ ruleId: rule.id, outcome: leaked ? "triggered" : "passed" }),
      });
    }
    expect(bySpan.has("plan")).toBe(false);
    expect(bySpan.has("turn")).toBe(false);
  });

  test("the sync gate and the worker give the same verdict, explanation and span evaluations", async () => {
    const project = newProject();
    const rule = await leakRule(project);
    const gated = await sendTrace(project, true);
    const queued = await sendTrace(project, false);
    const [viaGate, viaWorker] = [await finalLog(gated), await finalLog(queued)];
    expect(viaWorker.status).toBe(viaGate.status);
    expect(viaWorker.detail.explanation).toBe(viaGate.detail.explanation);
    expect(viaWorker.detail.appliedRules).toEqual(viaGate.detail.appliedRules);
    const [gateSpans, workerSpans] = [spanEvaluations(await traceOf(gated)), spanEvaluations(await traceOf(queued))];
    expect(workerSpans).toEqual(gateSpans);
    expect(gateSpans.map((e) => [e.span_id, e.label])).toEqual(TOOL_SPANS.map((s) => [s.id, s.id === LEAK.id ? "fail" : "pass"]));
    expect(viaGate.detail.appliedRules[0].ruleId).toBe(rule.id);
  });

  test("spanName narrows the spans checked", async () => {
    const project = newProject();
    const rule = await leakRule(project, { spanName: "lookup" });
    const id = await sendTrace(project, true);
    const { status, detail } = await finalLog(id);
    const lookups = SPANS.filter((s) => s.kind === "tool" && s.name === "lookup");
    expect(lookups).toHaveLength(1);
    expect(status).toBe("pass");
    expect(detail.appliedRules[0]).toMatchObject({ outcome: "passed", explanation: 'The one matching tool span named "lookup" passed.' });
    expect(spanEvaluations(await traceOf(id)).map((e) => [e.id, e.label, e.reason])).toEqual(
      lookups.map((s) => [`rule:${rule.id}:${s.id}`, "pass", clean(s)]),
    );

    // The same name without a kind: both "search" spans, of which the second leaks.
    const searchProject = newProject();
    await createRule({
      name: "Search is clean",
      type: "keyword_forbidden",
      value: "secret",
      projectName: searchProject,
      target: "spans",
      spanName: "search",
    });
    const searchId = await sendTrace(searchProject, true);
    const searched = await finalLog(searchId);
    expect(searched.status).toBe("flagged");
    expect(spanEvaluations(await traceOf(searchId)).map((e) => e.span_id)).toEqual(
      SPANS.filter((s) => s.name === "search").map((s) => s.id),
    );
  });

  test("no matching span: passed, saying none matched, with no span evaluation", async () => {
    const project = newProject();
    await leakRule(project, { spanKind: "mcp" });
    const id = await sendTrace(project, true);
    const { status, detail } = await finalLog(id);
    expect(status).toBe("pass");
    expect(detail.appliedRules[0]).toMatchObject({ outcome: "passed", explanation: "No span matched: this trace has no mcp spans." });
    expect(spanEvaluations(await traceOf(id))).toEqual([]);

    // A log without any span: nothing matches either (its output is not a span).
    const bare = (await call("POST", "/api/logs", { project, output: "the secret", sync: true })).body;
    expect(bare).toMatchObject({ status: "pass", explanation: "All 1 rule passed." });
    expect((await finalLog(bare.id)).detail.appliedRules[0].explanation).toBe("No span matched: this trace has no mcp spans.");
  });

  test("an output rule and a span rule together: both applied, in rule order", async () => {
    const project = newProject();
    const outputRule = await createRule({ name: "Says shipped", type: "keyword_required", value: "shipped", projectName: project });
    const spanRule = await leakRule(project);
    const id = await sendTrace(project, true);
    const { status, detail } = await finalLog(id);
    expect(status).toBe("flagged");
    expect(detail.appliedRules.map((r: { ruleId: string; outcome: string }) => [r.ruleId, r.outcome])).toEqual([
      [outputRule.id, "passed"],
      [spanRule.id, "triggered"],
    ]);
    expect(detail.appliedRules[0].explanation).toBe("The output contains every required keyword.");
    expect(detail.explanation).toBe(`${spanRule.name}: ${LEAK_SENTENCE}`);
    const trace = await traceOf(id);
    expect(trace.evaluations.filter((e) => e.span_id === null).map((e) => e.id)).toEqual([`rule:${outputRule.id}`, `rule:${spanRule.id}`]);
    expect(spanEvaluations(trace).map((e) => e.id)).toEqual(TOOL_SPANS.map((s) => `rule:${spanRule.id}:${s.id}`));
  });

  test("a guardrail span is checked on its input", async () => {
    const project = newProject();
    await createRule({
      name: "No secrets to guard",
      type: "keyword_forbidden",
      value: "secret",
      projectName: project,
      target: "spans",
      spanKind: "guardrail",
    });
    const guard = {
      id: "guard",
      parentSpanId: "turn",
      kind: "guardrail",
      name: "pii",
      startedAt: at(5),
      input: "tell me the secret",
      output: { allowed: false },
    };
    const id = await sendTrace(project, true, [...SPANS, guard]);
    const { status, detail } = await finalLog(id);
    expect(status).toBe("flagged");
    expect(detail.appliedRules[0].explanation).toBe(`${named(guard)}: Forbidden keyword found in the span's input: "secret".`);
  });

  test("an LLM judge judges each span with its input as the prompt; the trace's confidence is the lowest", async () => {
    const project = newProject();
    const rule = await createRule({
      name: "Tools answer politely",
      type: "llm_judge",
      value: "The tool's answer is polite.",
      projectName: project,
      target: "spans",
      spanKind: "tool",
      llmJudgeProvider: "openai",
      llmJudgeModel: "gpt-4o-mini",
    });
    fake.reset();
    const confidences = [0.9, 0.55, 0.7];
    fake.push(...confidences.map((confidence) => ({ verdict: { ...FAKE_PASS, confidence } })));
    const id = await sendTrace(project, true);
    const { status, detail } = await finalLog(id);
    expect(status).toBe("pass");
    expect(detail.confidenceScore).toBe(Math.min(...confidences));
    expect(detail.appliedRules[0]).toMatchObject({ ruleId: rule.id, outcome: "passed", confidence: Math.min(...confidences) });
    // One judgement per tool span, each seeing that span's output, and its input as the prompt.
    expect(fake.requests).toHaveLength(TOOL_SPANS.length);
    const prompts: string[] = fake.requests.map((r) => r.body.messages.find((m: { role: string }) => m.role === "user").content);
    const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
    for (const span of TOOL_SPANS) {
      const prompt = prompts.find((p) => p.includes(`<output>\n${text(span.output)}\n</output>`));
      expect(prompt).toBeDefined();
      if (span.input === undefined) expect(prompt).not.toContain("<input>");
      else expect(prompt).toContain(`<input>\n${text(span.input)}\n</input>`);
    }
    const spans = spanEvaluations(await traceOf(id));
    expect(spans.map((e) => e.span_id)).toEqual(TOOL_SPANS.map((s) => s.id));
    expect(spans.every((e) => e.evaluator === "llm_judge.openai" && e.label === "pass")).toBe(true);
    expect(spans.map((e) => e.score).sort()).toEqual([...confidences].sort());
  });
});

describe("rules API: target, spanKind, spanName", () => {
  test("create, get, list and update carry the fields; null clears; back to the output clears the span fields", async () => {
    const project = newProject();
    const created = await leakRule(project, { spanName: "search" });
    expect(created).toMatchObject({ target: "spans", spanKind: "tool", spanName: "search" });
    expect((await call("GET", `/api/rules/${created.id}`)).body).toMatchObject({ target: "spans", spanKind: "tool", spanName: "search" });
    const listed = (await call("GET", "/api/rules")).body.find((r: Rule) => r.id === created.id);
    expect(listed).toMatchObject({ target: "spans", spanKind: "tool", spanName: "search" });

    expect((await call("PATCH", `/api/rules/${created.id}`, { spanName: null })).status).toBe(200);
    expect((await call("GET", `/api/rules/${created.id}`)).body).toMatchObject({ target: "spans", spanKind: "tool", spanName: null });
    expect((await call("PATCH", `/api/rules/${created.id}`, { target: "output" })).status).toBe(200);
    expect((await call("GET", `/api/rules/${created.id}`)).body).toMatchObject({ target: "output", spanKind: null, spanName: null });

    // An output rule: span fields are refused, naming the field; with target "spans" they are taken.
    const refused = await call("PATCH", `/api/rules/${created.id}`, { spanKind: "llm" });
    expect(refused).toMatchObject({ status: 400, body: { fields: { spanKind: expect.stringMatching(/target "spans"/) } } });
    expect((await call("PATCH", `/api/rules/${created.id}`, { target: "spans", spanKind: "llm" })).status).toBe(200);
    expect((await call("GET", `/api/rules/${created.id}`)).body).toMatchObject({ target: "spans", spanKind: "llm", spanName: null });

    const plain = await createRule({ name: "Plain", type: "keyword_required", value: "x", projectName: project });
    expect(plain).toMatchObject({ target: "output", spanKind: null, spanName: null });
  });

  test("400s: span fields without target spans, an unknown kind or target, a confidence threshold on spans", async () => {
    const base = { name: "r", type: "keyword_forbidden", value: "secret" };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ spanKind: "tool" }, "spanKind", /applies only to rules that check spans/],
      [{ target: "output", spanName: "search" }, "spanName", /applies only to rules that check spans/],
      [{ target: "spans", spanKind: "robot" }, "spanKind", /spanKind must be one of: agent, runner_step, llm, tool/],
      [{ target: "everything" }, "target", /target must be one of: output, spans/],
      [{ type: "confidence_threshold", value: "0.5", target: "spans" }, "target", /target must be "output"/],
    ];
    for (const [extra, field, message] of cases) {
      const res = await call("POST", "/api/rules", { ...base, ...extra });
      expect({ extra, status: res.status, fields: res.body.fields }).toEqual({
        extra,
        status: 400,
        fields: { [field]: expect.stringMatching(message) },
      });
    }
  });

  test("the OpenAPI document shows the fields on Rule", async () => {
    const doc = (await call("GET", "/api/openapi.json", undefined, { token: null })).body;
    const rule = doc.components.schemas.Rule;
    expect(rule.properties.target.enum).toEqual(["output", "spans"]);
    expect(rule.properties).toHaveProperty("spanKind");
    expect(rule.properties).toHaveProperty("spanName");
    expect(doc.paths["/api/rules/evaluate"].post).toBeDefined();
  });
});

describe("POST /api/rules/evaluate with spans", () => {
  const spans = SPANS.map(({ id, kind, name, input, output }) => ({ id, kind, name, input, output }));

  test("an inline span rule is tried on the spans sent", async () => {
    const res = await call("POST", "/api/rules/evaluate", {
      output: OUTPUT,
      spans,
      rule: { name: "No secrets", type: "keyword_forbidden", value: "secret", target: "spans", spanKind: "tool" },
    });
    expect(res.status).toBe(200);
    const body = EvaluateRuleResponse.parse(res.body);
    expect(body).toMatchObject({ verdict: "flagged", explanation: `No secrets: ${LEAK_SENTENCE}` });
    expect(body.appliedRules).toEqual([expect.objectContaining({ ruleId: "unsaved", outcome: "triggered", explanation: LEAK_SENTENCE })]);

    const clean = await call("POST", "/api/rules/evaluate", {
      output: "the secret",
      spans: spans.filter((s) => s.id !== LEAK.id),
      rule: { type: "keyword_forbidden", value: "secret", target: "spans", spanKind: "tool" },
    });
    expect(clean.body).toMatchObject({ verdict: "pass", explanation: "All 1 rule passed." });
    expect(clean.body.appliedRules[0].explanation).toBe(`All ${TOOL_SPANS.length - 1} tool spans passed.`);
  });

  test("a saved span rule by id; another workspace's rule is not found", async () => {
    const rule = await leakRule(newProject());
    const res = await call("POST", "/api/rules/evaluate", { output: OUTPUT, spans, rule: rule.id });
    expect(res.body).toMatchObject({ verdict: "flagged", appliedRules: [{ ruleId: rule.id, outcome: "triggered" }] });
    const other = await server.newWorkspace("Span rules elsewhere");
    expect((await call("POST", "/api/rules/evaluate", { output: OUTPUT, spans, rule: rule.id }, { token: other })).status).toBe(404);
  });

  test("400s: spanKind without target spans, an unknown spanKind, a span rule without spans, a bad span", async () => {
    const rule = { type: "keyword_forbidden", value: "secret" };
    const noTarget = await call("POST", "/api/rules/evaluate", { output: "x", spans, rule: { ...rule, spanKind: "tool" } });
    expect(noTarget).toMatchObject({ status: 400, body: { fields: { "rule.spanKind": expect.stringMatching(/target "spans"/) } } });
    const unknownKind = await call("POST", "/api/rules/evaluate", {
      output: "x",
      spans,
      rule: { ...rule, target: "spans", spanKind: "robot" },
    });
    expect(unknownKind).toMatchObject({ status: 400, body: { fields: { "rule.spanKind": expect.stringMatching(/must be one of/) } } });
    const noSpans = await call("POST", "/api/rules/evaluate", { output: "x", rule: { ...rule, target: "spans" } });
    expect(noSpans).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/send spans/), fields: { spans: expect.any(String) } },
    });
    const saved = await leakRule(newProject());
    expect((await call("POST", "/api/rules/evaluate", { output: "x", rule: saved.id })).body).toMatchObject({
      fields: { spans: expect.any(String) },
    });
    const badSpan = await call("POST", "/api/rules/evaluate", { output: "x", spans: [{ id: "a", kind: "robot", name: "n" }], rule });
    expect(badSpan).toMatchObject({ status: 400, body: { fields: { "spans.0.kind": expect.stringMatching(/must be one of/) } } });
  });
});
