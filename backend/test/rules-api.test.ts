import { EvaluateRuleResponse, LogDetail, Rule, SyncLogResult } from "@tracira/shared";
import { callerFor, startTestServerOn, type Call, type TestServer } from "./helpers/server";

/** Rules and their evaluation over HTTP, on Postgres and on the embedded default (PGlite). */
describe.each(["postgres", "pglite"] as const)("%s", (backend) => {
  let server: TestServer;
  let call: Call;
  let other: Call;

  beforeAll(async () => {
    server = await startTestServerOn(backend, { TRACIRA_REGEX_TIMEOUT_MS: "300" });
    call = server.call;
    other = callerFor(server.url, await server.newWorkspace());
  });
  afterAll(() => server?.close());

  const createRule = async (body: Record<string, unknown>, caller = call) => {
    const res = await caller("POST", "/api/rules", body);
    expect(res.status).toBe(201);
    return Rule.parse(res.body);
  };
  const clearRules = async () => {
    for (const r of (await call<Rule[]>("GET", "/api/rules")).body) await call("DELETE", `/api/rules/${r.id}`);
  };
  const gate = async (body: Record<string, unknown>) => {
    const res = await call("POST", "/api/logs", { sync: true, ...body });
    expect(res.status).toBe(200);
    return SyncLogResult.parse(res.body);
  };

  describe("rules CRUD", () => {
    afterAll(clearRules);

    test("create, list, get, update, delete with the reference's shapes", async () => {
      const rule = await createRule({ name: "Apologize", type: "keyword_required", value: "sorry", description: "Be polite" });
      expect(rule).toMatchObject({
        name: "Apologize",
        type: "keyword_required",
        value: "sorry",
        description: "Be polite",
        isActive: true,
        scope: "global",
      });

      expect((await call("GET", "/api/rules")).body).toEqual([rule]);
      expect((await call("GET", `/api/rules/${rule.id}`)).body).toEqual(rule);

      const patched = await call("PATCH", `/api/rules/${rule.id}`, { value: "sorry, thanks", isActive: false });
      expect(patched).toMatchObject({ status: 200, body: { ok: true } });
      expect((await call("GET", `/api/rules/${rule.id}`)).body).toMatchObject({ value: "sorry, thanks", isActive: false });

      expect((await call("DELETE", `/api/rules/${rule.id}`)).body).toEqual({ ok: true });
      expect((await call("GET", `/api/rules/${rule.id}`)).status).toBe(404);
    });

    test("another workspace's rule is not found, and lists are per workspace", async () => {
      const rule = await createRule({ name: "Mine", type: "length_limit", value: "100" });
      for (const [method, body] of [["GET"], ["PATCH", { name: "x" }], ["DELETE"]] as const) {
        const res = await other(method, `/api/rules/${rule.id}`, body);
        expect(res).toMatchObject({ status: 404, body: { code: "not_found" } });
      }
      expect((await other("GET", "/api/rules")).body).toEqual([]);
      expect((await other("POST", "/api/rules/evaluate", { output: "x", rule: rule.id })).status).toBe(404);
    });

    test("scopes: project by name (created on first use) or id, task, project and task", async () => {
      const byName = await createRule({ name: "P", type: "length_limit", value: "10", projectName: "scoped-project" });
      expect(byName).toMatchObject({ scope: "project", projectName: "scoped-project" });
      const byId = await createRule({ name: "P2", type: "length_limit", value: "10", projectId: byName.projectId });
      expect(byId).toMatchObject({ scope: "project", projectId: byName.projectId, projectName: "scoped-project" });
      const task = await createRule({ name: "T", type: "length_limit", value: "10", taskName: "Summaries" });
      expect(task).toMatchObject({ scope: "task", projectId: null, taskName: "Summaries" });
      const both = await createRule({
        name: "PT",
        type: "length_limit",
        value: "10",
        projectName: "scoped-project",
        taskName: "Summaries",
      });
      expect(both).toMatchObject({ scope: "task", projectName: "scoped-project", taskName: "Summaries" });

      expect((await call("PATCH", `/api/rules/${both.id}`, { projectId: null, taskName: null })).status).toBe(200);
      expect((await call("GET", `/api/rules/${both.id}`)).body).toMatchObject({ scope: "global", projectId: null, taskName: null });
    });

    test.each([
      [{ name: "x", type: "regex_match", value: "(unclosed" }, "value", /does not compile/],
      [{ name: "x", type: "length_limit", value: "ten" }, "value", /maximum|range/],
      [{ name: "x", type: "length_limit", value: "50-10" }, "value", /above the maximum/],
      [{ name: "x", type: "json_field", value: "a..b" }, "value", /empty segment/],
      [{ name: "x", type: "json_field_keyword_required", value: "a.b thanks" }, "value", /colon/],
      [{ name: "x", type: "confidence_threshold", value: 2 }, "value", /0 to 1/],
      [{ name: "x", type: "keyword_wanted", value: "a" }, "type", /one of: keyword_required/],
      [{ type: "keyword_required", value: "a" }, "name", /name is required/],
      [{ name: "x", type: "keyword_required" }, "value", /value is required/],
      [
        { name: "x", type: "keyword_required", value: "a", projectId: "00000000-0000-0000-0000-000000000000" },
        "projectId",
        /no such project/,
      ],
      [{ name: "x", type: "llm_judge", value: "polite", llmJudgeProvider: "gemini" }, "llmJudgeProvider", /openai, anthropic, openrouter/],
    ])("invalid rule %j → 400 with fields.%s", async (body, field, message) => {
      const before = (await call<Rule[]>("GET", "/api/rules")).body.length;
      const res = await call("POST", "/api/rules", body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("invalid_request");
      expect(res.body.fields[field]).toMatch(message);
      expect((await call<Rule[]>("GET", "/api/rules")).body.length).toBe(before);
    });

    test("PATCH validates the type and value together", async () => {
      const rule = await createRule({ name: "Len", type: "length_limit", value: "100" });
      const res = await call("PATCH", `/api/rules/${rule.id}`, { type: "json_field" });
      expect(res.status).toBe(200); // "100" is a valid JSON path (a key named 100)
      const bad = await call("PATCH", `/api/rules/${rule.id}`, { type: "confidence_threshold" });
      expect(bad).toMatchObject({ status: 400, body: { fields: { value: expect.stringMatching(/0 to 1/) } } });
      expect((await call("GET", `/api/rules/${rule.id}`)).body).toMatchObject({ type: "json_field", value: "100" });
      expect((await call("PATCH", `/api/rules/${rule.id}`, {})).status).toBe(400);
    });
  });

  describe("POST /api/rules/evaluate", () => {
    afterAll(clearRules);

    test("an inline rule, stored nothing, answers the reference's shape", async () => {
      const logsBefore = await server.running.deps.db.prisma.log.count();
      const res = await call("POST", "/api/rules/evaluate", {
        output: "We guarantee a refund.",
        rule: { name: "No promises", type: "keyword_forbidden", value: "guarantee" },
      });
      expect(res.status).toBe(200);
      const body = EvaluateRuleResponse.parse(res.body);
      expect(body).toMatchObject({
        verdict: "flagged",
        status: "flagged",
        confidenceScore: 1,
        appliedRules: [
          {
            ruleId: "unsaved",
            ruleName: "No promises",
            ruleType: "keyword_forbidden",
            ruleValue: "guarantee",
            scope: "global",
            outcome: "triggered",
          },
        ],
      });
      expect(body.explanation).toContain('"guarantee"');
      expect(await server.running.deps.db.prisma.log.count()).toBe(logsBefore);
    });

    test("a saved rule by id (string or { id }) with confidence", async () => {
      const rule = await createRule({ name: "Sure", type: "confidence_threshold", value: "0.7", projectName: "p1" });
      for (const ref of [rule.id, { id: rule.id }]) {
        const low = await call("POST", "/api/rules/evaluate", { output: "x", confidence: 0.5, rule: ref });
        expect(low.body).toMatchObject({ status: "flagged", appliedRules: [{ ruleId: rule.id, scope: "project", outcome: "triggered" }] });
        const high = await call("POST", "/api/rules/evaluate", { output: "x", confidence: "0.9", rule: ref });
        expect(high.body).toMatchObject({ status: "pass", verdict: "pass" });
      }
    });

    test("an invalid inline value → 400 under rule.value; a missing rule → 400 naming it", async () => {
      const bad = await call("POST", "/api/rules/evaluate", { output: "x", rule: { type: "regex_match", value: "([" } });
      expect(bad).toMatchObject({ status: 400, body: { fields: { "rule.value": expect.stringMatching(/does not compile/) } } });
      const missing = await call("POST", "/api/rules/evaluate", { output: "x" });
      expect(missing).toMatchObject({ status: 400, body: { fields: { rule: expect.stringMatching(/rule is required/) } } });
    });

    test("JSON output objects are tested as their JSON text", async () => {
      const res = await call("POST", "/api/rules/evaluate", {
        output: { reply: { text: "hello" } },
        rule: { type: "json_field", value: "reply.text" },
      });
      expect(res.body).toMatchObject({ status: "pass" });
    });
  });

  describe("each rule type through HTTP (gate mode)", () => {
    beforeEach(clearRules);
    afterAll(clearRules);

    test.each([
      ["keyword_required", "refund, sorry", { output: "Sorry, the refund is done." }, { output: "Done." }, { output: "" }],
      ["keyword_forbidden", "guarantee", { output: "We will check." }, { output: "We GUARANTEE it" }, { output: "🙂 ünïcödé" }],
      ["regex_match", "/^order #\\d+/i", { output: "ORDER #12 shipped" }, { output: "shipped" }, { output: "" }],
      ["length_limit", "2-5", { output: "😀😀😀" }, { output: "toolong" }, { output: "" }],
      ["confidence_threshold", "0.8", { output: "x", confidence: 0.95 }, { output: "x", confidence: 0.2 }, { output: "x" }],
      ["json_field", "items[0].sku", { output: { items: [{ sku: "A1" }] } }, { output: { items: [] } }, { output: "not json" }],
      [
        "json_field_keyword_required",
        "reply.text: thanks",
        { output: { reply: { text: "Thanks!" } } },
        { output: { reply: { text: "Hi" } } },
        { output: [1, 2] },
      ],
      [
        "json_field_keyword_forbidden",
        "reply.text: lawsuit",
        { output: { reply: { text: "ok" } } },
        { output: { reply: { text: "a lawsuit" } } },
        { output: { other: "lawsuit" } },
      ],
    ])("%s %j: passed, triggered, edge", async (type, value, passing, triggering, edge) => {
      const rule = await createRule({ name: `Rule ${type}`, type, value });
      const pass = await gate({ project: "types", ...passing });
      expect(pass).toMatchObject({
        status: "pass",
        verdict: { pass: true, rules: [{ name: rule.name, triggered: false }] },
        confidenceScore: 1,
      });
      const flagged = await gate({ project: "types", ...triggering });
      expect(flagged).toMatchObject({ status: "flagged", verdict: { pass: false, rules: [{ name: rule.name, triggered: true }] } });
      expect(flagged.explanation).toMatch(new RegExp(`^Rule ${type}: `));

      // The edge case gets a definite, explained outcome, and it is stored on the log.
      const edgeResult = await gate({ project: "types", ...edge });
      expect(["pass", "flagged"]).toContain(edgeResult.status);
      const detail = LogDetail.parse((await call("GET", `/api/logs/${edgeResult.id}`)).body);
      expect(detail).toMatchObject({ status: edgeResult.status, verdict: edgeResult.status, explanation: edgeResult.explanation });
      expect(detail.appliedRules).toEqual([
        expect.objectContaining({ ruleId: rule.id, ruleType: type, ruleValue: String(value), scope: "global" }),
      ]);
      expect(detail.evaluatedAt).not.toBeNull();
    });

    test("a catastrophic regex ends error with an explanation, the log is stored as error", async () => {
      await createRule({ name: "Backtracker", type: "regex_match", value: "^(a+)+$" });
      const res = await gate({ project: "types", output: "a".repeat(49_999) + "!" });
      expect(res).toMatchObject({ status: "error", verdict: { pass: false, rules: [{ name: "Backtracker", triggered: false }] } });
      expect(res.explanation).toMatch(/ran longer than 300 ms/);
    });
  });

  describe("scoping decides which rules apply", () => {
    afterAll(clearRules);

    test("global, project, task in any project, project+task; inactive rules never", async () => {
      await createRule({ name: "global", type: "keyword_forbidden", value: "zzz-global" });
      await createRule({ name: "project", type: "keyword_forbidden", value: "zzz", projectName: "alpha" });
      await createRule({ name: "task-any-project", type: "keyword_forbidden", value: "zzz", taskName: "Summaries" });
      await createRule({ name: "project+task", type: "keyword_forbidden", value: "zzz", projectName: "alpha", taskName: "Replies" });
      await createRule({ name: "inactive", type: "keyword_forbidden", value: "zzz", isActive: false });
      const names = async (project: string, task?: string) =>
        (await gate({ project, task, output: "fine" })).verdict.rules.map((r) => r.name).sort();

      expect(await names("beta")).toEqual(["global"]);
      expect(await names("alpha")).toEqual(["global", "project"]);
      expect(await names("beta", "Summaries")).toEqual(["global", "task-any-project"]);
      expect(await names("alpha", "Replies")).toEqual(["global", "project", "project+task"]);
      expect(await names("alpha", "Summaries")).toEqual(["global", "project", "task-any-project"]);
    });

    test("a rule of another workspace never applies", async () => {
      await createRule({ name: "theirs", type: "keyword_forbidden", value: "fine" }, other);
      expect((await gate({ project: "beta", output: "fine" })).verdict.rules.map((r) => r.name)).not.toContain("theirs");
    });
  });
});
