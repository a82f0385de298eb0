import { Client } from "pg";
import { EVALUATION_NAMES_SQL } from "../src/services/traces/evaluations";
import { dashboardClient, failureOf, type DashboardClient } from "./helpers/dashboard";
import { startTestServerOn, waitForFinal, type TestServer } from "./helpers/server";

/**
 * The dashboard's session and evaluation procedures answer what the REST API answers, only inside the
 * user's workspace; the session CSV export opens with the session cookie (the Export CSV link).
 */

let server: TestServer;
let pg: Client;
let admin: DashboardClient;
let outsider: DashboardClient;
let projectId: string;
const logIds: string[] = [];

const at = (s: number) => new Date(Date.UTC(2026, 4, 1, 12, 0, s)).toISOString();

beforeAll(async () => {
  server = await startTestServerOn("postgres");
  pg = new Client({ connectionString: server.running.deps.config.databaseUrl! });
  await pg.connect();
  admin = dashboardClient(server.url);
  await admin.trpc.auth.signUp.mutate({ email: "ana@example.com", password: "correct horse battery", claimToken: server.token });
  const otherToken = await server.newWorkspace("Other");
  outsider = dashboardClient(server.url);
  await outsider.trpc.auth.signUp.mutate({ email: "eve@example.com", password: "outsider password", claimToken: otherToken });

  // A rule, so every log also carries Tracira's own evaluation (which names() leaves out).
  expect((await server.call("POST", "/api/rules", { name: "No refunds", type: "keyword_forbidden", value: "refund" })).status).toBe(201);
  for (const [turn, start] of [
    [1, 0],
    [2, 10],
  ] as const) {
    const res = await server.call("POST", "/api/logs", {
      project: "support-bot",
      sessionId: "chat-1",
      output: `Answer ${turn}`,
      spans: [
        { id: "turn", kind: "agent", name: "agent-turn", startedAt: at(start), endedAt: at(start + 2) },
        {
          id: "plan",
          parentSpanId: "turn",
          kind: "llm",
          name: "plan",
          model: "gpt-4o-mini",
          startedAt: at(start),
          endedAt: at(start + 1),
          inputTokens: 100 * turn,
          outputTokens: 10 * turn,
        },
      ],
    });
    expect(res.status).toBe(200);
    logIds.push(res.body.id);
    await waitForFinal(server.call, res.body.id);
  }
  const evaluations = [
    { id: "tone-1", evaluator: "team.tone", name: "tone", score: 0.9, label: "pass" },
    { id: "help-1", evaluator: "team.helpfulness", name: "helpfulness", score: 0.4 },
  ];
  expect((await server.call("POST", `/api/logs/${logIds[0]}/evaluations`, { evaluations })).body.stored).toBe(2);
  projectId = (await server.call("GET", "/api/projects")).body.find((p: { name: string }) => p.name === "support-bot").id;
}, 60_000);

afterAll(async () => {
  await pg?.end();
  await server?.close();
});

test("sessions.list, traces, metrics and analysis answer what the session API answers", async () => {
  const base = `/api/projects/${projectId}/sessions`;
  expect(await admin.trpc.sessions.list.query({ projectId })).toEqual((await server.call("GET", base)).body);
  const ref = { projectId, sessionId: "chat-1" };
  const traces = await admin.trpc.sessions.traces.query(ref);
  expect(traces).toEqual((await server.call("GET", `${base}/chat-1/traces`)).body);
  expect(traces.traces.map((t) => t.traceId)).toEqual(logIds);
  expect(await admin.trpc.sessions.metrics.query(ref)).toEqual((await server.call("GET", `${base}/chat-1/metrics`)).body);
  expect(await admin.trpc.sessions.analysis.query(ref)).toEqual((await server.call("GET", `${base}/chat-1/analysis`)).body);
  // The project by name works as in the REST API; bad input is the API's 400 with fields.
  expect((await admin.trpc.sessions.list.query({ projectId: "support-bot" })).sessions[0]).toMatchObject({
    sessionId: "chat-1",
    traceCount: 2,
  });
  expect(await failureOf(admin.trpc.sessions.list.query({ projectId, limit: 500 }))).toMatchObject({
    status: 400,
    fields: { limit: expect.stringMatching(/at most 200/) },
  });
});

test("evaluations.names lists the workspace's own evaluation names, not its rules'; scores are the listed logs' own", async () => {
  expect(await admin.trpc.evaluations.names.query()).toEqual(["helpfulness", "tone"]);
  const scores = await admin.trpc.evaluations.scores.query({ ids: logIds });
  expect(Object.keys(scores)).toEqual([logIds[0]]);
  expect(scores[logIds[0]!]).toEqual([
    { name: "helpfulness", score: 0.4, label: null },
    { name: "tone", score: 0.9, label: "pass" },
  ]);
});

test("the distinct names are read through the partial index of callers' evaluations", async () => {
  const { rows } = await pg.query("SELECT workspace_id FROM logs WHERE id = $1", [logIds[0]]);
  await pg.query("SET enable_seqscan = off");
  const plan = await pg.query(`EXPLAIN ${EVALUATION_NAMES_SQL}`, [rows[0].workspace_id, 200]);
  await pg.query("RESET enable_seqscan");
  const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
  expect(text).toContain("evaluations_workspace_id_name_own_idx");
});

test("another workspace's user sees none of it: sessions are 404, names and scores empty", async () => {
  const ref = { projectId, sessionId: "chat-1" };
  expect(await failureOf(outsider.trpc.sessions.list.query({ projectId }))).toMatchObject({ status: 404 });
  expect(await failureOf(outsider.trpc.sessions.list.query({ projectId: "support-bot" }))).toMatchObject({ status: 404 });
  for (const call of [
    outsider.trpc.sessions.traces.query(ref),
    outsider.trpc.sessions.metrics.query(ref),
    outsider.trpc.sessions.analysis.query(ref),
  ]) {
    expect(await failureOf(call)).toMatchObject({ status: 404, code: "not_found" });
  }
  expect(await outsider.trpc.evaluations.names.query()).toEqual([]);
  expect(await outsider.trpc.evaluations.scores.query({ ids: logIds })).toEqual({});
  expect(await failureOf(dashboardClient(server.url).trpc.evaluations.names.query())).toMatchObject({ status: 401 });
});

test("the session export downloads with the dashboard's cookie, only in the user's workspace", async () => {
  const path = `/api/projects/${projectId}/sessions/export?format=csv&sessionId=chat-1`;
  const res = await admin.fetch(path);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-disposition")).toBe('attachment; filename="sessions-support-bot.csv"');
  const lines = (await res.text()).trimEnd().split("\r\n");
  expect(lines[0]).toMatch(/^sessionId,traceId,turn,spanId,/);
  expect(lines).toHaveLength(1 + 4);
  expect((await outsider.fetch(path)).status).toBe(404);
  expect((await fetch(server.url + path)).status).toBe(401);
});
