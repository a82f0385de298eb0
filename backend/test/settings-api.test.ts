import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Settings } from "@tracira/shared";
import { Client } from "pg";
import { SecretBox } from "../src/secrets/secret-box";
import { parseSecretKey } from "../src/secrets/secret-key";
import { startFakeLlm, type FakeLlm } from "./helpers/fake-llm";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { runExpectingFailure } from "./helpers/process";
import { callerFor, startTestServer, TEST_ENV, type Call, type TestServer } from "./helpers/server";

let db: TestDatabase;
let fake: FakeLlm;
let server: TestServer;
let call: Call;
let pg: Client;

const OPENAI_KEY = "sk-proj-workspaceKey0123456789abcd";
const ANTHROPIC_KEY = "sk-ant-api03-anotherSecretKey-wxyz";
const OPENROUTER_KEY = "sk-or-v1-routerSecret987654321-qrst";
const SLACK_URL = "https://hooks.slack.com/services/T000/B000/slackSecretPart9876";

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeLlm();
  server = await startTestServer({ DATABASE_URL: db.url, OPENAI_BASE_URL: `${fake.url}/v1`, OPENAI_API_KEY: "sk-server-key-000000000" });
  call = server.call;
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});
afterAll(async () => {
  await pg?.end();
  await server?.close();
  await fake?.close();
  await db?.drop();
});

const settings = async (caller = call) => {
  const res = await caller("GET", "/api/settings");
  expect(res.status).toBe(200);
  return Settings.parse(res.body);
};
const workspaceRow = async (token = server.token) =>
  (
    await pg.query(`SELECT * FROM workspaces WHERE id = (SELECT id FROM workspaces WHERE token_hash = encode(sha256($1::bytea), 'hex'))`, [
      token,
    ])
  ).rows[0];

describe("GET /api/settings", () => {
  test("every field of the reference, the usage counts, and the caller's role", async () => {
    const before = await settings();
    expect(before).toMatchObject({
      workspaceName: before.name,
      currentUserRole: "admin",
      canManageWorkspace: true,
      slackWebhookUrl: null,
      openaiApiKey: null,
      notifyOnFlag: true,
      outboundWebhookEvents: [],
      tokenPrefix: server.token.slice(0, 7) + "…",
    });
    await call("POST", "/api/logs", { project: "usage-a", output: "x" });
    await call("POST", "/api/logs", { project: "usage-b", output: "y", timestamp: "2020-01-01T00:00:00Z" });
    await call("POST", "/api/rules", { name: "r", type: "length_limit", value: "10" });
    const after = await settings();
    expect(after.usage).toMatchObject({
      totalLogs: before.usage.totalLogs + 2,
      // Received this month, whatever their own timestamp says.
      logsThisMonth: before.usage.logsThisMonth + 2,
      projects: before.usage.projects + 2,
      rules: before.usage.rules + 1,
    });
    expect(new Date(after.usage.monthStart).getUTCDate()).toBe(1);
  });
});

describe("PATCH /api/settings", () => {
  test("stores every field; secrets are masked on read and never in clear in the database", async () => {
    const patch = {
      workspaceName: "Acme support",
      onboardingDismissed: true,
      slackWebhookUrl: SLACK_URL,
      slackChannelId: "C0123",
      slackNotificationsEnabled: true,
      notifyOnFlag: false,
      notifyOnFail: true,
      notificationEmail: "alerts@example.com",
      emailNotificationsEnabled: "true",
      emailOnFlag: true,
      emailOnFail: false,
      webhookEnabled: true,
      outboundWebhookUrl: "https://example.com/hook",
      outboundWebhookEvents: ["log.flagged", "log.decided", "log.flagged"],
      estimatedIncidentCostUsd: "250.5",
      openaiApiKey: OPENAI_KEY,
      anthropicApiKey: ANTHROPIC_KEY,
      openrouterApiKey: OPENROUTER_KEY,
      openaiJudgeModel: "gpt-4o-mini",
      anthropicJudgeModel: "claude-haiku-4-5",
      openrouterJudgeModel: "openai/gpt-4o-mini",
      defaultJudgeProvider: "anthropic",
      color: "#4f46e5",
    };
    expect(await call("PATCH", "/api/settings", patch)).toMatchObject({ status: 200, body: { ok: true } });
    const got = await settings();
    expect(got).toMatchObject({
      name: "Acme support",
      workspaceName: "Acme support",
      onboardingDismissed: true,
      slackWebhookUrl: "https://hooks.slack.com/…9876",
      slackChannelId: "C0123",
      notifyOnFlag: false,
      notificationEmail: "alerts@example.com",
      emailNotificationsEnabled: true,
      emailOnFail: false,
      outboundWebhookEvents: ["log.flagged", "log.decided"],
      estimatedIncidentCostUsd: 250.5,
      openaiApiKey: "sk-…abcd",
      anthropicApiKey: "sk-…wxyz",
      openrouterApiKey: "sk-…qrst",
      defaultJudgeProvider: "anthropic",
      color: "#4f46e5",
    });
    const secrets = [OPENAI_KEY, ANTHROPIC_KEY, OPENROUTER_KEY, SLACK_URL, server.token];
    const body = JSON.stringify(got);
    for (const secret of secrets) expect(body).not.toContain(secret.slice(8));

    // The stored row: no secret in clear, each sealed value opens only with its workspace and field.
    const row = await workspaceRow();
    const stored = JSON.stringify(row);
    for (const secret of secrets) expect(stored).not.toContain(secret.slice(8));
    expect(row.openai_api_key_encrypted).toMatch(/^v1\./);
    const box = new SecretBox(parseSecretKey(TEST_ENV.TRACIRA_SECRET_KEY!)!);
    expect(box.open(row.openai_api_key_encrypted, `${row.id}:openaiApiKey`)).toBe(OPENAI_KEY);
    expect(box.open(row.token_encrypted, `${row.id}:token`)).toBe(server.token);
    expect(() => box.open(row.openai_api_key_encrypted, `${row.id}:anthropicApiKey`)).toThrow();
    expect(box.open(row.signing_secret_encrypted, `${row.id}:signingSecret`)).toMatch(/^whsec_/);
  });

  test("LLM judges use the workspace's key (decrypted) over the server's", async () => {
    await call("PATCH", "/api/settings", { openaiApiKey: OPENAI_KEY });
    fake.reset();
    const res = await call("POST", "/api/rules/evaluate", {
      output: "hello",
      rule: { type: "llm_judge", value: "Polite.", llmJudgeProvider: "openai", llmJudgeModel: "fake-pass" },
    });
    expect(res.body.status).toBe("pass");
    expect(fake.requests.map((r) => r.apiKey)).toEqual([OPENAI_KEY]);
  });

  test('null or "" clears a setting', async () => {
    await call("PATCH", "/api/settings", { openrouterApiKey: null, slackWebhookUrl: "", color: null, estimatedIncidentCostUsd: null });
    expect(await settings()).toMatchObject({ openrouterApiKey: null, slackWebhookUrl: null, color: null, estimatedIncidentCostUsd: null });
    expect((await workspaceRow()).openrouter_api_key_encrypted).toBeNull();
  });

  test.each([
    [{ openAiApiKey: "sk-x" }, "body", /unknown setting/],
    [{ slackWebhookUrl: "hooks.slack.com/x" }, "slackWebhookUrl", /http/],
    [{ slackWebhookUrl: "http://hooks.slack.com/x" }, "slackWebhookUrl", /https/],
    [{ outboundWebhookUrl: "ftp://example.com" }, "outboundWebhookUrl", /http/],
    [{ notificationEmail: "not-an-email" }, "notificationEmail", /e-mail/],
    [{ outboundWebhookEvents: ["log.exploded"] }, "outboundWebhookEvents.0", /log.passed/],
    [{ outboundWebhookEvents: "log.flagged" }, "outboundWebhookEvents", /array/],
    [{ defaultJudgeProvider: "gemini" }, "defaultJudgeProvider", /openai, anthropic, openrouter/],
    [{ estimatedIncidentCostUsd: -5 }, "estimatedIncidentCostUsd", /0/],
    [{ estimatedIncidentCostUsd: "lots" }, "estimatedIncidentCostUsd", /number/],
    [{ notifyOnFlag: "yes" }, "notifyOnFlag", /true or false/],
    [{ workspaceName: "" }, "workspaceName", /empty/],
    [{ openaiApiKey: "short" }, "openaiApiKey", /too short/],
    [{ openaiApiKey: "sk- with spaces in it" }, "openaiApiKey", /spaces/],
    [{ color: "blue" }, "color", /hex/],
  ])("invalid %j → 400 naming %s, and nothing is written", async (patch, field, message) => {
    const before = await workspaceRow();
    const res = await call("PATCH", "/api/settings", { workspaceName: "Half written?", ...patch });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_request");
    const key = Object.keys(res.body.fields).find((k) => k === field || k.startsWith(`${field}.`)) ?? "";
    expect(res.body.fields[key] ?? res.body.error).toMatch(message);
    expect(await workspaceRow()).toEqual(before);
  });

  test("an empty change is a 400 listing the settings", async () => {
    const res = await call("PATCH", "/api/settings", {});
    expect(res).toMatchObject({
      status: 400,
      body: { code: "invalid_request", error: expect.stringMatching(/at least one setting to change: onboardingDismissed/) },
    });
  });

  test("settings are per workspace", async () => {
    const other = callerFor(server.url, await server.newWorkspace("Other"));
    expect(await settings(other)).toMatchObject({ workspaceName: "Other", openaiApiKey: null, usage: { totalLogs: 0 } });
  });

  test("a sealed value copied to another workspace's row does not open", async () => {
    const otherToken = await server.newWorkspace("Copy target");
    const mine = await workspaceRow();
    await pg.query(`UPDATE workspaces SET openai_api_key_encrypted = $1 WHERE token_hash = encode(sha256($2::bytea), 'hex')`, [
      mine.openai_api_key_encrypted,
      otherToken,
    ]);
    const other = callerFor(server.url, otherToken);
    expect((await settings(other)).openaiApiKey).toBe("(cannot be decrypted: set it again)");
    const judged = await other("POST", "/api/rules/evaluate", {
      output: "hello",
      rule: { type: "llm_judge", value: "Polite.", llmJudgeProvider: "openai", llmJudgeModel: "fake-pass" },
    });
    expect(judged.body).toMatchObject({ status: "error" });
    expect(judged.body.explanation).toMatch(/openaiApiKey cannot be decrypted/);
  });
});

describe("POST /api/settings/rotate-token", () => {
  test("answers the new token once; the old one is refused at once; a sixth rotation in the hour is a 429", async () => {
    const token = await server.newWorkspace("Rotating");
    let current = token;
    for (let i = 0; i < 5; i++) {
      const res = await server.call("POST", "/api/settings/rotate-token", undefined, { token: current });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ webhookToken: expect.stringMatching(/^wh-[A-Za-z0-9_-]{43}$/) });
      const old = current;
      current = res.body.webhookToken;
      expect((await server.call("GET", "/api/verify", undefined, { token: old })).status).toBe(401);
      expect((await server.call("GET", "/api/verify", undefined, { token: current })).status).toBe(200);
    }
    const row = await workspaceRow(current);
    const box = new SecretBox(parseSecretKey(TEST_ENV.TRACIRA_SECRET_KEY!)!);
    expect(box.open(row.token_encrypted, `${row.id}:token`)).toBe(current);
    expect(row.token_prefix).toBe(current.slice(0, 7) + "…");

    const sixth = await server.call("POST", "/api/settings/rotate-token", undefined, { token: current });
    expect(sixth.status).toBe(429);
    expect(sixth.body).toMatchObject({ code: "rate_limited", error: expect.stringMatching(/at most 5/) });
    const retryAfter = Number(sixth.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect((await server.call("GET", "/api/verify", undefined, { token: current })).status).toBe(200);
  });

  test("concurrent rotations cannot pass the limit", async () => {
    const token = await server.newWorkspace("Racing");
    const results = await Promise.all(
      Array.from({ length: 8 }, () => server.call("POST", "/api/settings/rotate-token", undefined, { token })),
    );
    // The first to commit kills `token`: the others, though they passed authentication, are refused with 401.
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.every((r) => [200, 401, 429].includes(r.status))).toBe(true);
  });
});

describe("the secret key", () => {
  test("the embedded default makes a key file (0600) in its data folder and reads it again after a restart", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-secret-"));
    try {
      const withoutKey = { TRACIRA_SECRET_KEY: "" }; // empty counts as unset
      const first = await startTestServer({ ...withoutKey, TRACIRA_DATA_DIR: dir });
      try {
        expect(fs.statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
        await first.call("PATCH", "/api/settings", { openaiApiKey: OPENAI_KEY });
      } finally {
        await first.close();
      }
      const second = await startTestServer({ ...withoutKey, TRACIRA_DATA_DIR: dir, TRACIRA_BOOTSTRAP_TOKEN: first.token });
      expect((await second.call("GET", "/api/settings")).body.openaiApiKey).toBe("sk-…abcd");
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [{ TRACIRA_SECRET_KEY: "too-short" }, "TRACIRA_SECRET_KEY"],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL"],
    [{ RATE_LIMIT_PER_MINUTE: "lots" }, "RATE_LIMIT_PER_MINUTE"],
  ])("a bad %j stops the start with a message naming it", async (env, name) => {
    const res = await runExpectingFailure({ DATABASE_URL: db.url, ...env });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(name);
  });
});
