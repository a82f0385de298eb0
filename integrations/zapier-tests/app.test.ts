/**
 * Every action, search, dropdown and the authentication of the built Zapier app, run by
 * zapier-platform-core's appTester against the built backend on a real Postgres.
 */
import { startReceiver } from "../../backend/test/helpers/receiver";
import { App, appTester, bundleFor, startBackend, until, type Backend } from "./helpers/zapier";

const PROJECT = "zapier-app";
let backend: Backend;

beforeAll(async () => {
  backend = await startBackend();
  expect((await backend.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
});
afterAll(async () => {
  await backend?.close();
});

describe("authentication", () => {
  test("test answers the workspace; the connection label is its name", async () => {
    const verified = await appTester(App.authentication.test, bundleFor(backend));
    expect(verified).toEqual({ workspaceName: expect.any(String) });
    expect(verified.workspaceName.length).toBeGreaterThan(0);
    const label = await appTester(App.authentication.connectionLabel, bundleFor(backend, { inputData: verified }));
    expect(label).toBe(verified.workspaceName);
  });

  test("a wrong token is an AuthenticationError", async () => {
    const bundle = bundleFor(backend);
    bundle.authData.apiToken = "wh-not-a-token";
    const error = await appTester(App.authentication.test, bundle).catch((e: Error) => e);
    expect(error.name).toBe("AppError");
    expect(JSON.parse(error.message)).toEqual({
      message: expect.stringMatching(/API token was refused/),
      code: "AuthenticationError",
      status: 401,
    });
  });

  test("a 429 is a ThrottledError with the server's Retry-After; other errors carry { error, fields }", async () => {
    const receiver = await startReceiver();
    try {
      const bundle = { authData: { baseUrl: receiver.url, apiToken: "wh-x" }, inputData: {} };
      receiver.respond(() => ({
        status: 429,
        headers: { "retry-after": "42", "content-type": "application/json" },
        body: JSON.stringify({ error: "Too many requests.", code: "rate_limited" }),
      }));
      const throttled = await appTester(App.authentication.test, bundle).catch((e: Error) => e);
      expect(throttled.name).toBe("ThrottledError");
      expect(JSON.parse(throttled.message)).toEqual({ message: expect.stringMatching(/42 seconds/), delay: 42 });
      expect(receiver.received[0]!.headers.authorization).toBe("Bearer wh-x");

      receiver.respond(() => ({
        status: 400,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ error: "Invalid request body", code: "invalid_request", fields: { output: "output is required" } }),
      }));
      const invalid = await appTester(App.authentication.test, bundle).catch((e: Error) => e);
      expect(JSON.parse(invalid.message)).toEqual({
        message: "Invalid request body (output is required)",
        code: "tracira_400",
        status: 400,
      });
    } finally {
      await receiver.close();
    }
  });
});

describe("Log Execution", () => {
  const perform = App.creates.log_execution.operation.perform;

  test("async (default): stored as pending, evaluated in the background", async () => {
    const result = await appTester(
      perform,
      bundleFor(backend, { inputData: { project: PROJECT, output: "This is BAD.", task: "reply", sync: "false" } }),
    );
    expect(result).toEqual({
      id: expect.any(String),
      status: "pending",
      verdict_pass: null,
      triggered_rules: "",
      triggered_rule_count: 0,
      explanation: "",
      confidence_score: null,
    });
    const status = await until("the log to be evaluated", async () => {
      const s = (await backend.call("GET", `/api/logs/${result.id}/status`)).body;
      return s.status === "pending" ? undefined : s;
    });
    expect(status).toMatchObject({ status: "flagged", verdict: "flagged" });
  });

  test("Wait for Verdict, passing output: the flat verdict", async () => {
    const result = await appTester(perform, bundleFor(backend, { inputData: { project: PROJECT, output: "All good here.", sync: true } }));
    expect(result).toEqual({
      id: expect.any(String),
      status: "pass",
      verdict_pass: true,
      triggered_rules: "",
      triggered_rule_count: 0,
      explanation: expect.any(String),
      confidence_score: expect.any(Number),
    });
  });

  test("Wait for Verdict, flagged output: verdict_pass false, the triggered rule named", async () => {
    const result = await appTester(perform, bundleFor(backend, { inputData: { project: PROJECT, output: "This is BAD.", sync: "true" } }));
    expect(result).toMatchObject({ status: "flagged", verdict_pass: false, triggered_rules: "No BAD", triggered_rule_count: 1 });
  });

  test("every field reaches the log (Zapier's text numbers, list tags, dict metadata)", async () => {
    const inputData = {
      project: PROJECT,
      output: "Fine answer.",
      task: "full",
      model: "gpt-4o-mini",
      input: "A question?",
      inputText: "A question, as text",
      sessionId: "s-1",
      subjectId: "cust-1",
      actorId: "agent-1",
      latencyMs: "812.5",
      costUsd: "0.002",
      confidence: "0.9",
      tags: ["a", "b"],
      metadata: { channel: "email" },
      timestamp: "2026-01-02T03:04:05Z",
      id: "zapier-full-1",
      callbackUrl: "http://127.0.0.1:9/cb",
      callbackEvents: "decisions",
      sync: "true",
    };
    const result = await appTester(perform, bundleFor(backend, { inputData }));
    expect(result).toMatchObject({ id: "zapier-full-1", status: "pass" });
    const log = (await backend.call("GET", "/api/logs/zapier-full-1")).body;
    expect(log).toMatchObject({
      projectName: PROJECT,
      taskName: "full",
      model: "gpt-4o-mini",
      input: "A question?",
      inputText: "A question, as text",
      sessionId: "s-1",
      subjectId: "cust-1",
      actorId: "agent-1",
      latencyMs: 812.5,
      costUsd: 0.002,
      confidence: 0.9,
      tags: ["a", "b"],
      metadata: { channel: "email" },
      timestamp: "2026-01-02T03:04:05.000Z",
      callbackUrl: "http://127.0.0.1:9/cb",
      callbackEvents: "decisions",
    });
  });

  test("an invalid field: Tracira's message, naming the field", async () => {
    await expect(
      appTester(perform, bundleFor(backend, { inputData: { project: PROJECT, output: "x", timestamp: "not a date" } })),
    ).rejects.toThrow(/timestamp must be an ISO 8601 date-time/);
  });
});

describe("Approve or Reject Log, Find Log", () => {
  test("a decision is recorded and Find Log shows it with the verdict", async () => {
    const logged = await appTester(
      App.creates.log_execution.operation.perform,
      bundleFor(backend, { inputData: { project: PROJECT, output: "BAD again", sync: true } }),
    );
    const decided = await appTester(
      App.creates.decide_log.operation.perform,
      bundleFor(backend, { inputData: { log_id: logged.id, decision: "rejected", decided_by: "ana@example.com" } }),
    );
    expect(decided).toEqual({ id: logged.id, log_id: logged.id, decision: "rejected", decided_by: "ana@example.com" });

    const found = await appTester(App.searches.find_log.operation.perform, bundleFor(backend, { inputData: { log_id: logged.id } }));
    expect(found).toEqual([
      expect.objectContaining({
        id: logged.id,
        status: "flagged",
        verdict_pass: false,
        triggered_rules: "No BAD",
        project: PROJECT,
        output: "BAD again",
        human_decision: "rejected",
        decided_by: "ana@example.com",
        decision_source: "zapier",
      }),
    ]);
    // Every output field the app declares is in the output.
    const keys = App.searches.find_log.operation.outputFields.map((f: { key: string }) => f.key);
    expect(Object.keys(found[0]).sort()).toEqual(expect.arrayContaining(keys));
  });

  test("an unknown log: Find Log finds nothing; deciding it is Tracira's 404 message", async () => {
    await expect(
      appTester(App.searches.find_log.operation.perform, bundleFor(backend, { inputData: { log_id: "nope" } })),
    ).resolves.toEqual([]);
    await expect(
      appTester(App.creates.decide_log.operation.perform, bundleFor(backend, { inputData: { log_id: "nope", decision: "approved" } })),
    ).rejects.toThrow(/not found/i);
  });
});

describe("dropdowns (hidden triggers)", () => {
  test("models, projects, and tasks of a project", async () => {
    const models = await appTester(App.triggers.models.operation.perform, bundleFor(backend));
    expect(models.length).toBeGreaterThan(0);
    expect(models[0]).toEqual({ id: expect.any(String), value: expect.any(String), label: expect.any(String) });

    const projects = await appTester(App.triggers.projects.operation.perform, bundleFor(backend));
    expect(projects).toEqual(expect.arrayContaining([expect.objectContaining({ id: expect.any(String), name: PROJECT })]));

    const tasks = await appTester(App.triggers.tasks.operation.perform, bundleFor(backend, { inputData: { project: PROJECT } }));
    expect(tasks).toEqual(
      expect.arrayContaining([
        { id: "reply", name: "reply" },
        { id: "full", name: "full" },
      ]),
    );
    await expect(
      appTester(App.triggers.tasks.operation.perform, bundleFor(backend, { inputData: { project: "no-such-project" } })),
    ).resolves.toEqual([]);
  });
});
