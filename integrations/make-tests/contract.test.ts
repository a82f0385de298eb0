import http from "node:http";
import type { AddressInfo } from "node:net";
import { component, readJson } from "./helpers/app";
import { missingFields, perform, resolve } from "./helpers/iml";
import { startBackend, type Backend } from "../n8n-tests/helpers/backend";
import { until } from "../../backend/test/helpers/until";
import { expectThreeStepTrace, STEPS } from "../n8n-tests/helpers/trace";

/**
 * Every module's, RPC's and webhook attach/detach's request, read from the app's IML files and performed
 * against the built backend on a real Postgres; what comes back must hold every field the interface promises.
 */
let backend: Backend;
let connection: { baseUrl: string; apiToken: string };
const base = readJson("general/base.iml.json");
const PROJECT = "make-contract";

/** A local receiver standing in for Make's webhook URL (the backend allows private URLs in this test). */
let receiver: http.Server;
let receiverUrl: string;
const received: any[] = [];

beforeAll(async () => {
  backend = await startBackend({ TRACIRA_ALLOW_PRIVATE_URLS: "true" });
  connection = { baseUrl: backend.url, apiToken: backend.token };
  const rule = await backend.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" });
  expect(rule.status).toBe(201);
  receiver = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      received.push({ path: req.url, headers: req.headers, body: JSON.parse(raw) });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => receiver?.close(r));
  await backend?.close();
});

const runModule = (name: string, parameters: Record<string, unknown>) =>
  perform(component("module", name).code.communication, base, { parameters, connection });
const runRpc = (name: string, parameters: Record<string, unknown> = {}) =>
  perform(component("rpc", name).code.communication, base, { parameters, connection });
const iface = (name: string) => component("module", name).code.interface;

/**
 * Interface fields the contract itself makes optional (`AppliedRule.explanation` and `.confidence`: only some
 * rule types, `confidence` only LLM judges): the only ones allowed to be absent.
 */
const OPTIONAL = /(^|\.)appliedRules\[\]\.(confidence|explanation)$/;
const missing = (module: string, value: unknown) => missingFields(iface(module), value).filter((f) => !OPTIONAL.test(f));

describe("connection", () => {
  const comm = () => component("connection", "tracira").code.communication;

  it("verifies the token with GET /api/verify and labels the connection with the workspace name", async () => {
    const verify = await backend.call("GET", "/api/verify");
    const done = await perform(comm(), null, { parameters: connection });
    expect(done.request.url).toBe(`${backend.url}/api/verify`);
    expect(done.metadata).toEqual({ type: "text", value: verify.body.workspaceName });
  });

  it("fails a wrong token with the API's error and code", async () => {
    const wrong = perform(comm(), null, { parameters: { ...connection, apiToken: "wh-wrong" } });
    await expect(wrong).rejects.toThrow(/^\[401\] .+ \([a-z_]+\)$/i);
  });
});

describe("modules", () => {
  let syncId: string;

  it("Log Execution, waiting for the verdict: every interface field, the verdict of the rule", async () => {
    const done = await runModule("logExecution", {
      project: PROJECT,
      output: "This is BAD.",
      task: "reply",
      model: "gpt-4o",
      waitForVerdict: true,
      inputText: "Say something",
      latencyMs: 120,
      costUsd: 0.001,
      confidence: 0.9,
      sessionId: "s-1",
      subjectId: "c-1",
      actorId: "u-1",
      tags: ["make", "contract"],
      metadata: { scenario: 42 },
      id: "make-log-1",
      timestamp: new Date().toISOString(),
      callbackEvents: "all",
    });
    expect(done.request.body).toMatchObject({ sync: true, project: PROJECT, tags: ["make", "contract"] });
    const [out] = done.outputs;
    expect(missing("logExecution", out)).toEqual([]);
    expect(out).toMatchObject({
      id: "make-log-1",
      status: "flagged",
      verdict: { pass: false, rules: [{ name: "No BAD", triggered: true }] },
    });
    syncId = out.id;
  });

  it("Log Execution without waiting answers pending at once (unmapped fields are left out)", async () => {
    const done = await runModule("logExecution", { project: PROJECT, output: "All good.", waitForVerdict: false });
    expect(Object.keys(done.request.body as object).sort()).toEqual(["output", "project", "sync"]);
    expect(done.outputs[0]).toMatchObject({ ok: true, status: "pending" });
  });

  it("Get a Log: every interface field", async () => {
    const done = await runModule("getLog", { id: syncId });
    expect(missing("getLog", done.outputs[0])).toEqual([]);
    expect(done.outputs[0].appliedRules.length).toBeGreaterThan(0);
  });

  it("Approve or Reject: every interface field, and the decision is stored", async () => {
    const done = await runModule("decideLog", { id: syncId, decision: "approved", decidedBy: "ana@example.com" });
    expect(missing("decideLog", done.outputs[0])).toEqual([]);
    expect(done.outputs[0]).toMatchObject({ id: syncId, decision: "approved", ok: true, decidedBy: "ana@example.com" });
    const log = await backend.call("GET", `/api/logs/${syncId}`);
    expect(log.body).toMatchObject({ humanDecision: "approved", decisionSource: "make" });
  });

  it("Get a Log of an unknown id fails with the API's message", async () => {
    await expect(runModule("getLog", { id: "nope" })).rejects.toThrow(/^\[404\] /);
  });

  it("Search Logs: filters, every interface field of each item, the limit", async () => {
    const done = await runModule("searchLogs", { project: PROJECT, status: "flagged", sortBy: "timestamp", sortDir: "desc", limit: 10 });
    expect(done.request.url).toContain("project=make-contract");
    expect(done.outputs.length).toBeGreaterThan(0);
    for (const item of done.outputs) {
      expect(missing("searchLogs", item)).toEqual([]);
      expect(item).toMatchObject({ projectName: PROJECT, status: "flagged" });
    }
    const one = await runModule("searchLogs", { project: PROJECT, limit: 1 });
    expect(one.outputs).toHaveLength(1);
  });

  it("Make an API Call: path on the base URL, headers and query string from key/value lists", async () => {
    const done = await runModule("makeApiCall", {
      url: "/api/logs/tasks",
      method: "GET",
      headers: [{ key: "X-Extra", value: "1" }],
      qs: [{ key: "project", value: PROJECT }],
    });
    expect(done.request.headers).toMatchObject({ Authorization: `Bearer ${backend.token}`, "X-Extra": "1" });
    expect(missing("makeApiCall", done.outputs[0])).toEqual([]);
    expect(done.outputs[0]).toMatchObject({ statusCode: 200, body: ["reply"] });
  });
});

describe("a run traced step by step", () => {
  /** The verdict fields of Add Step's interface: only a final step that waited for the verdict has them. */
  const VERDICT_FIELDS = /^(status|verdict|explanation|confidenceScore)(\.|$)/;

  /** Log Execution (Wait for final step, no output) → plan → draft (LLM) → check (final, wait for verdict). */
  async function tracedRun(finalOutput: string) {
    const logged = await runModule("logExecution", { project: PROJECT, awaitFinalStep: true, waitForVerdict: false });
    expect(logged.request.body).toEqual({ project: PROJECT, awaitFinalStep: true, sync: false });
    expect(logged.outputs[0]).toMatchObject({ ok: true, status: "pending" });
    const logId = String(logged.outputs[0].id);

    const plan = await runModule("addStep", { logId, stepId: STEPS.plan.id, kind: STEPS.plan.kind, name: STEPS.plan.name, final: false });
    expect(plan.request.url).toBe(`${backend.url}/api/logs/${logId}/steps`);
    expect(plan.request.body).toEqual({ id: STEPS.plan.id, kind: STEPS.plan.kind, name: STEPS.plan.name, final: false });
    expect(missingFields(iface("addStep"), plan.outputs[0]).filter((f) => !VERDICT_FIELDS.test(f))).toEqual([]);
    expect(plan.outputs[0]).toMatchObject({ ok: true, stepId: STEPS.plan.id, spanCount: 1, final: false });

    await runModule("addStep", {
      logId,
      stepId: STEPS.draft.id,
      parentStepId: STEPS.plan.id,
      kind: STEPS.draft.kind,
      name: STEPS.draft.name,
      model: STEPS.draft.model,
      inputTokens: STEPS.draft.inputTokens,
      outputTokens: STEPS.draft.outputTokens,
      costUsd: STEPS.draft.costUsd,
      input: { question: "Can I get a refund?" },
      output: finalOutput,
      final: false,
    });
    const check = await runModule("addStep", {
      logId,
      stepId: STEPS.check.id,
      parentStepId: STEPS.plan.id,
      kind: STEPS.check.kind,
      name: STEPS.check.name,
      output: finalOutput,
      final: true,
      waitForVerdict: true,
    });
    expect(check.request.body).toMatchObject({ final: true, sync: true });
    return { logId, answer: check.outputs[0] };
  }

  it("Log Execution waits for the final step; three Add Steps; the final one answers the verdict with every interface field", async () => {
    const { logId, answer } = await tracedRun("Refunds take 5 days.");
    expect(missing("addStep", answer)).toEqual([]);
    expect(answer).toMatchObject({ ok: true, stepId: STEPS.check.id, spanCount: 3, final: true, status: "pass", verdict: { pass: true } });
    await expectThreeStepTrace(backend, logId);
    const stored = await backend.call("GET", `/api/logs/${logId}`);
    expect(stored.body).toMatchObject({ status: "pass", output: "Refunds take 5 days." });
  });

  it("a flagged run: the final step's verdict names the rule, for a Router after it", async () => {
    const { answer } = await tracedRun("This is BAD.");
    expect(answer).toMatchObject({ status: "flagged", verdict: { pass: false, rules: [{ name: "No BAD", triggered: true }] } });
  });

  it("Wait for final step with Wait for verdict left on is the API's 400 naming sync", async () => {
    await expect(runModule("logExecution", { project: PROJECT, awaitFinalStep: true, waitForVerdict: true })).rejects.toThrow(
      /^\[400\] .*sync/,
    );
  });

  it("an unknown log id fails with the API's 404", async () => {
    await expect(runModule("addStep", { logId: "no-such-log", name: "Lost", final: false })).rejects.toThrow(/^\[404\] /);
  });
});

describe("RPCs", () => {
  it("models: label/value pairs from /api/models", async () => {
    const done = await runRpc("models");
    expect(done.outputs.length).toBeGreaterThan(0);
    for (const o of done.outputs) expect(o).toEqual({ label: expect.any(String), value: expect.any(String) });
  });

  it("projects: the project names", async () => {
    const done = await runRpc("projects");
    expect(done.outputs).toContainEqual({ label: PROJECT, value: PROJECT });
  });

  it("tasks: the tasks of the chosen project", async () => {
    const done = await runRpc("tasks", { project: PROJECT });
    expect(done.request.url).toContain("project=make-contract");
    expect(done.outputs).toEqual([{ label: "reply", value: "reply" }]);
  });
});

describe("instant triggers", () => {
  const hooks = async () => (await backend.call("GET", "/api/hooks")).body.hooks as any[];

  async function attach(name: string, parameters: Record<string, unknown>, path: string) {
    const hook = component("webhook", name);
    const webhook = { url: `${receiverUrl}${path}` };
    const done = await perform(hook.code.attach, base, { parameters, connection, webhook });
    expect(done.statusCode).toBe(201);
    expect(done.data.externalHookId).toEqual(expect.any(String));
    expect(done.data.signingSecret).toMatch(/^whsec_/);
    return { hook, webhook: { ...webhook, ...done.data } };
  }

  it("Watch Verdicts: attach registers the webhook URL, a verdict arrives with every interface field, detach removes it", async () => {
    const { hook, webhook } = await attach("verdicts", { events: ["log.flagged"], project: PROJECT }, "/verdicts");
    expect(await hooks()).toContainEqual(
      expect.objectContaining({ id: webhook.externalHookId, url: webhook.url, events: ["log.flagged"], project: PROJECT, source: "make" }),
    );
    await runModule("logExecution", { project: PROJECT, output: "BAD again", waitForVerdict: false });
    const got = await until("the flagged event", () => received.find((r) => r.path === "/verdicts"));
    const [out] = resolve([hook.code.communication.output], { body: got.body });
    expect(missing("watchVerdicts", out)).toEqual([]);
    expect(out).toMatchObject({ event: "log.evaluated", status: "flagged" });

    const detached = await perform(hook.code.detach, base, { parameters: {}, connection, webhook });
    expect(detached.request.url).toBe(`${backend.url}/api/hooks/${webhook.externalHookId}`);
    expect((await hooks()).map((h) => h.id)).not.toContain(webhook.externalHookId);
  });

  it("Watch Decisions: attach, a decision arrives with every interface field, detach", async () => {
    const { hook, webhook } = await attach("decisions", { project: PROJECT }, "/decisions");
    expect(await hooks()).toContainEqual(expect.objectContaining({ id: webhook.externalHookId, events: ["log.decided"], source: "make" }));
    const log = await runModule("logExecution", { project: PROJECT, output: "Fine.", waitForVerdict: true });
    await runModule("decideLog", { id: log.outputs[0].id, decision: "rejected", decidedBy: "bo" });
    const got = await until("the decision event", () => received.find((r) => r.path === "/decisions"));
    const [out] = resolve([hook.code.communication.output], { body: got.body });
    expect(missing("watchDecisions", out)).toEqual([]);
    expect(out).toMatchObject({ event: "log.decided", id: log.outputs[0].id, humanDecision: "rejected", decidedBy: "bo" });

    await perform(hook.code.detach, base, { parameters: {}, connection, webhook });
    expect((await hooks()).map((h) => h.id)).not.toContain(webhook.externalHookId);
  });
});
