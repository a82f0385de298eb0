import { LogDetail, SyncLogResult } from "@tracira/shared";
import { FAKE_FAIL, FAKE_PASS, startFakeLlm, type FakeLlm } from "./helpers/fake-llm";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, waitForFinal, type TestServer } from "./helpers/server";

/**
 * LLM judges end to end: a server whose provider base URLs point at the fake provider on 127.0.0.1, rules
 * of type llm_judge, and logs through the sync gate, the async worker and /api/rules/evaluate. The real
 * openai and @anthropic-ai/sdk clients make every call.
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
    ANTHROPIC_API_KEY: "sk-ant-server",
    OPENROUTER_API_KEY: "sk-or-server",
    OPENAI_BASE_URL: `${fake.url}/v1`,
    ANTHROPIC_BASE_URL: fake.url,
    OPENROUTER_BASE_URL: `${fake.url}/api/v1`,
    TRACIRA_JUDGE_TIMEOUT_MS: "1500",
    TRACIRA_SYNC_TIMEOUT_MS: "5000",
  });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
  await db?.drop();
});
beforeEach(() => fake.reset());

let projectSeq = 0;
/** A project with one judge rule of its own, so tests do not see each other's rules. */
async function judgeProject(provider: string, model: string, criteria = "The reply is polite and promises no refund.") {
  const project = `judge-${++projectSeq}`;
  const res = await server.call("POST", "/api/rules", {
    name: `Judge ${provider}`,
    type: "llm_judge",
    value: criteria,
    projectName: project,
    llmJudgeProvider: provider,
    llmJudgeModel: model,
  });
  expect(res.status).toBe(201);
  return project;
}

const gate = async (project: string, extra: Record<string, unknown> = {}) => {
  const res = await server.call("POST", "/api/logs", {
    project,
    output: "Thanks! We are looking into it.",
    inputText: "Reply kindly",
    sync: true,
    ...extra,
  });
  expect(res.status).toBe(200);
  return SyncLogResult.or(SyncLogResult.pick({ ok: true, id: true, status: true })).parse(res.body) as SyncLogResult;
};

describe.each(["openai", "anthropic", "openrouter"] as const)("%s judge through the sync gate", (provider) => {
  const sdkPath = provider === "anthropic" ? "/v1/messages" : provider === "openai" ? "/v1/chat/completions" : "/api/v1/chat/completions";

  test("pass: verdict, the judge's confidence, and the key/model the SDK sent", async () => {
    const project = await judgeProject(provider, "fake-pass");
    const res = await gate(project);
    expect(res).toMatchObject({
      status: "pass",
      verdict: { pass: true, rules: [{ name: `Judge ${provider}`, triggered: false }] },
      confidenceScore: FAKE_PASS.confidence,
    });
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect(sent).toMatchObject({ path: sdkPath, model: "fake-pass" });
    expect(sent.apiKey).toBe({ openai: "sk-server-openai", anthropic: "sk-ant-server", openrouter: "sk-or-server" }[provider]);
    expect(JSON.stringify(sent.body)).toContain("Thanks! We are looking into it.");
    expect(JSON.stringify(sent.body)).toContain("Reply kindly");
  });

  test("fail: flagged with the judge's explanation", async () => {
    const res = await gate(await judgeProject(provider, "fake-fail"));
    expect(res).toMatchObject({
      status: "flagged",
      verdict: { pass: false, rules: [{ triggered: true }] },
      confidenceScore: FAKE_FAIL.confidence,
    });
    expect(res.explanation).toBe(`Judge ${provider}: ${FAKE_FAIL.explanation}`);
  });

  test("malformed answer: error outcome saying the answer was not a verdict", async () => {
    const res = await gate(await judgeProject(provider, "fake-malformed"));
    expect(res.status).toBe("error");
    expect(res.explanation).toMatch(/not a valid verdict/);
  });

  test("429 then success: retried, then the verdict", async () => {
    const res = await gate(await judgeProject(provider, "fake-429-then-pass"));
    expect(res.status).toBe("pass");
    expect(fake.callsFor("fake-429-then-pass")).toHaveLength(2);
  });

  test("a hanging provider: error outcome within the judge timeout, and the log is stored as error", async () => {
    const started = Date.now();
    const res = await gate(await judgeProject(provider, "fake-hang"));
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(res.status).toBe("error");
    expect(res.explanation).toMatch(/time|timed out|did not answer/i);
    const detail = LogDetail.parse((await server.call("GET", `/api/logs/${res.id}`)).body);
    expect(detail).toMatchObject({ status: "error", appliedRules: [{ ruleType: "llm_judge", outcome: "error" }] });
  });
});

test("async logs are judged by the worker; the result is on the log, its status and the list", async () => {
  const project = await judgeProject("anthropic", "fake-fail");
  const res = await server.call("POST", "/api/logs", { project, output: "We will refund you twice!" });
  expect(res.body.status).toBe("pending");
  expect(await waitForFinal(server.call, res.body.id)).toBe("flagged");
  const detail = LogDetail.parse((await server.call("GET", `/api/logs/${res.body.id}`)).body);
  expect(detail).toMatchObject({
    verdict: "flagged",
    confidenceScore: FAKE_FAIL.confidence,
    appliedRules: [{ outcome: "triggered", confidence: FAKE_FAIL.confidence }],
  });
  const list = await server.call("GET", `/api/logs?project=${project}`);
  expect(list.body.executions[0]).toMatchObject({
    id: res.body.id,
    status: "flagged",
    verdict: "flagged",
    confidenceScore: FAKE_FAIL.confidence,
  });
});

test("past the sync timeout the answer is pending, and the evaluation still finishes", async () => {
  const slow = await startTestServer({
    DATABASE_URL: db.url,
    TRACIRA_BOOTSTRAP_TOKEN: server.token,
    OPENAI_API_KEY: "sk-server-openai",
    OPENAI_BASE_URL: `${fake.url}/v1`,
    TRACIRA_SYNC_TIMEOUT_MS: "200",
  });
  try {
    const project = await judgeProject("openai", "fake-slow-700");
    const started = Date.now();
    const res = await slow.call("POST", "/api/logs", { project, output: "hello", sync: true });
    expect(Date.now() - started).toBeLessThan(650);
    expect(res.body).toEqual({ ok: true, id: expect.any(String), status: "pending" });
    expect(await waitForFinal(slow.call, res.body.id)).toBe("pass");
    expect(fake.callsFor("fake-slow-700")).toHaveLength(1); // finished by the gate, not judged again by a worker
  } finally {
    await slow.close();
  }
});

test("several judges run together; confidenceScore is the lowest", async () => {
  const project = await judgeProject("openai", "fake-pass");
  await server.call("POST", "/api/rules", {
    name: "Second",
    type: "llm_judge",
    value: "Short.",
    projectName: project,
    llmJudgeProvider: "anthropic",
    llmJudgeModel: "fake-fail",
  });
  const res = await gate(project);
  expect(res).toMatchObject({ status: "flagged", confidenceScore: Math.min(FAKE_PASS.confidence, FAKE_FAIL.confidence) });
});

test("no key for the provider: error outcome naming the setting and the variable", async () => {
  const bare = await startTestServer({ DATABASE_URL: db.url, TRACIRA_BOOTSTRAP_TOKEN: server.token, TRACIRA_WORKER: "false" });
  try {
    const project = await judgeProject("anthropic", "fake-pass");
    const res = await bare.call("POST", "/api/logs", { project, output: "hello", sync: true });
    expect(res.body.status).toBe("error");
    expect(res.body.explanation).toMatch(/anthropicApiKey/);
    expect(res.body.explanation).toMatch(/ANTHROPIC_API_KEY/);
    expect(fake.requests).toHaveLength(0);
  } finally {
    await bare.close();
  }
});

test("/api/rules/evaluate runs an unsaved judge rule", async () => {
  const res = await server.call("POST", "/api/rules/evaluate", {
    output: "We guarantee a refund.",
    rule: { type: "llm_judge", value: "Promises nothing.", llmJudgeProvider: "openrouter", llmJudgeModel: "fake-fail" },
  });
  expect(res.body).toMatchObject({
    verdict: "flagged",
    confidenceScore: FAKE_FAIL.confidence,
    appliedRules: [{ ruleType: "llm_judge", outcome: "triggered" }],
  });
  expect(fake.requests[0]?.path).toBe("/api/v1/chat/completions");
});

test("rule outcomes, the judge's result and a human decision are evaluations of the trace; appliedRules is read from them", async () => {
  const project = await judgeProject("openai", "fake-fail");
  const keyword = await server.call("POST", "/api/rules", {
    name: "No guarantees",
    type: "keyword_forbidden",
    value: "guarantee",
    projectName: project,
  });
  expect(keyword.status).toBe(201);
  const res = await gate(project, { output: "We are looking into it." });
  expect(res.status).toBe("flagged");

  const decided = await server.call("PATCH", `/api/logs/${res.id}/decision`, { decision: "approved", decidedBy: "ana@example.com" });
  expect(decided.status).toBe(200);
  // Deciding the same way again is not a new decision: one human evaluation.
  await server.call("PATCH", `/api/logs/${res.id}/decision`, { decision: "approved", decidedBy: "ana@example.com" });

  const trace = await server.call("GET", `/api/traces/${res.id}`);
  expect(trace.status).toBe(200);
  const evaluations = trace.body.evaluations as Record<string, unknown>[];
  expect(evaluations).toEqual([
    expect.objectContaining({
      evaluator: "llm_judge.openai",
      name: "Judge openai",
      score: FAKE_FAIL.confidence,
      label: "fail",
      reason: FAKE_FAIL.explanation,
      span_id: null,
      evaluator_version: expect.stringMatching(/^[0-9a-f]{12}$/),
      metadata: expect.objectContaining({ ruleType: "llm_judge", outcome: "triggered", model: "fake-fail" }),
    }),
    expect.objectContaining({ evaluator: "rule.keyword_forbidden", name: "No guarantees", score: 1, label: "pass" }),
    expect.objectContaining({
      evaluator: "human",
      name: "review",
      score: 1,
      label: "approved",
      metadata: expect.objectContaining({ decidedBy: "ana@example.com" }),
    }),
  ]);

  const detail = LogDetail.parse((await server.call("GET", `/api/logs/${res.id}`)).body);
  expect(detail.appliedRules).toEqual([
    {
      ruleId: expect.any(String),
      ruleName: "Judge openai",
      ruleType: "llm_judge",
      ruleValue: expect.any(String),
      scope: "project",
      outcome: "triggered",
      explanation: FAKE_FAIL.explanation,
      confidence: FAKE_FAIL.confidence,
    },
    {
      ruleId: keyword.body.id,
      ruleName: "No guarantees",
      ruleType: "keyword_forbidden",
      ruleValue: "guarantee",
      scope: "project",
      outcome: "passed",
      explanation: expect.any(String),
    },
  ]);
  expect(res.verdict.rules).toEqual(detail.appliedRules.map((r) => ({ name: r.ruleName, triggered: r.outcome === "triggered" })));
});
