/**
 * Retention: with a workspace's `retentionDays` (or the deployment's TRACIRA_RETENTION_DAYS), the purge
 * deletes expired logs with their spans, evaluations and attachment files, in bounded batches; newer
 * logs and other workspaces' logs are untouched. Run on demand (`purgeOnce`) and by the worker's timer.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Settings } from "@tracira/shared";
import { Client } from "pg";
import type { Logger } from "../src/logger";
import { encodeLogId } from "../src/media/media-keys";
import { RetentionPurge, type PurgeReport } from "../src/retention/purge";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { callerFor, startTestServer, startTestServerOn, type Call, type TestServer } from "./helpers/server";
import { until } from "./helpers/until";

jest.setTimeout(90_000);

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Every file under a folder, dot files (the metadata sidecars) included. */
function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
const filesOfLog = (dir: string, id: string) => walk(dir).filter((f) => f.split(path.sep).includes(encodeLogId(id)));

/** A log `days` old with two spans, one of the caller's own evaluations and one attached file. */
async function seedLog(caller: Call, id: string, days: number): Promise<void> {
  const at = daysAgo(days);
  const end = new Date(Date.parse(at) + 1_000).toISOString();
  const res = await caller("POST", "/api/logs", {
    id,
    project: "retention",
    output: `output of ${id}`,
    timestamp: at,
    spans: [
      { id: "root", kind: "agent", name: "turn", startedAt: at, endedAt: end },
      { id: "llm", parentSpanId: "root", kind: "llm", name: "answer", startedAt: at, endedAt: end, model: "gpt-4o-mini" },
    ],
    attachments: [{ upload: Buffer.from(`file of ${id}`).toString("base64"), filename: `${id}.txt`, contentType: "text/plain" }],
  });
  expect(res.status).toBe(200);
  const evaluated = await caller("POST", `/api/logs/${encodeURIComponent(id)}/evaluations`, {
    evaluations: [{ id: "tone", evaluator: "my.eval", name: "friendly", score: 0.8, spanId: "llm" }],
  });
  expect(evaluated.body).toMatchObject({ ok: true, stored: 1 });
}

const settingsOf = async (caller: Call) => {
  const res = await caller("GET", "/api/settings");
  expect(res.status).toBe(200);
  return Settings.parse(res.body);
};

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

describe("on Postgres, purged on demand", () => {
  let db: TestDatabase;
  let server: TestServer;
  let pg: Client;
  let mediaDir: string;
  let call: Call;
  let other: Call;
  let workspaceId: string;
  let otherWorkspaceId: string;

  const OLD = ["old-1", "old-2", "old-3", "old-4", "old-5"];
  const NEW = ["new-29d", "new-1d", "new-now"];
  const OTHER_OLD = ["other-old-1", "other-old-2"];

  const rowsOf = async (table: "logs" | "spans" | "evaluations", ids: string[]) =>
    (await pg.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${table === "logs" ? "id" : "trace_id"} = ANY($1)`, [ids])).rows[0]
      .n as number;

  beforeAll(async () => {
    db = await createTestDatabase();
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-retention-media-"));
    // The worker (and with it the purge's timer) is off: every purge here is one the test asks for.
    server = await startTestServer({
      DATABASE_URL: db.url,
      TRACIRA_MEDIA_DIR: mediaDir,
      TRACIRA_WORKER: "false",
      TRACIRA_RETENTION_BATCH: "2",
    });
    call = server.call;
    other = callerFor(server.url, await server.newWorkspace("Keeps everything"));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    workspaceId = (await settingsOf(call)).id;
    otherWorkspaceId = (await settingsOf(other)).id;
    for (const id of OLD) await seedLog(call, id, 40);
    await seedLog(call, "new-29d", 29);
    await seedLog(call, "new-1d", 1);
    await seedLog(call, "new-now", 0);
    for (const id of OTHER_OLD) await seedLog(other, id, 40);
  });
  afterAll(async () => {
    await pg?.end();
    await server?.close();
    await db?.drop();
    if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
  });

  test.each([
    [0, /1 to 3650/],
    ["x", /whole number of days/],
    [5000, /1 to 3650/],
    [1.5, /whole number/],
    [true, /whole number/],
  ])("PATCH retentionDays %j is a 400 naming retentionDays, and nothing is written", async (value, message) => {
    const res = await call("PATCH", "/api/settings", { retentionDays: value });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", fields: { retentionDays: expect.stringMatching(message) } });
    expect((await settingsOf(call)).retentionDays).toBeNull();
  });

  test("by default a workspace keeps its logs forever: the purge deletes nothing", async () => {
    expect(await settingsOf(call)).toMatchObject({ retentionDays: null, effectiveRetentionDays: null });
    const report = await server.running.runtime.retention.purgeOnce();
    expect(report).toMatchObject({ checked: 0, logs: 0 });
    expect(await rowsOf("logs", [...OLD, ...NEW, ...OTHER_OLD])).toBe(10);
  });

  test("with retentionDays set, expired logs, their spans, evaluations and files are gone after the purge, newer ones untouched", async () => {
    // Text from a no-code tool is read as a number; null puts it back to the deployment's default.
    expect(await call("PATCH", "/api/settings", { retentionDays: "30" })).toMatchObject({ status: 200, body: { ok: true } });
    expect(await settingsOf(call)).toMatchObject({ retentionDays: 30, effectiveRetentionDays: 30 });
    expect(await settingsOf(other)).toMatchObject({ retentionDays: null, effectiveRetentionDays: null });
    expect((await pg.query(`SELECT retention_days FROM workspaces WHERE id = $1`, [workspaceId])).rows[0].retention_days).toBe(30);

    const before = { spans: await rowsOf("spans", OLD), evaluations: await rowsOf("evaluations", OLD) };
    expect(before.spans).toBe(10);
    expect(before.evaluations).toBeGreaterThanOrEqual(5);
    for (const id of OLD) expect(filesOfLog(mediaDir, id)).toHaveLength(2); // the file and its metadata sidecar
    const keptSpans = await rowsOf("spans", NEW);
    const keptEvaluations = await rowsOf("evaluations", NEW);

    const report: PurgeReport = await server.running.runtime.retention.purgeOnce();
    expect(report).toEqual({
      checked: 1,
      logs: 5,
      spans: before.spans,
      evaluations: before.evaluations,
      files: 5,
      failed: 0,
      // 5 expired logs in batches of 2: 2 + 2 + 1.
      workspaces: [{ workspaceId, days: 30, logs: 5, spans: before.spans, evaluations: before.evaluations, files: 5, batches: 3 }],
    });

    // The expired logs and everything of theirs.
    expect(await rowsOf("logs", OLD)).toBe(0);
    expect(await rowsOf("spans", OLD)).toBe(0);
    expect(await rowsOf("evaluations", OLD)).toBe(0);
    for (const id of OLD) {
      expect((await call("GET", `/api/logs/${id}`)).status).toBe(404);
      expect((await call("GET", `/api/traces/${id}`)).status).toBe(404);
      expect(filesOfLog(mediaDir, id)).toEqual([]);
      expect(fs.existsSync(path.join(mediaDir, workspaceId, encodeLogId(id)))).toBe(false);
    }

    // Newer logs: untouched, with their spans, evaluations and files.
    expect(await rowsOf("logs", NEW)).toBe(3);
    expect(await rowsOf("spans", NEW)).toBe(keptSpans);
    expect(await rowsOf("evaluations", NEW)).toBe(keptEvaluations);
    for (const id of NEW) {
      expect((await call("GET", `/api/logs/${id}`)).status).toBe(200);
      const trace = await call("GET", `/api/traces/${id}`);
      expect(trace.status).toBe(200);
      expect(trace.body.spans).toHaveLength(2);
      expect(trace.body.evaluations.find((e: { id: string }) => e.id === "tone")).toBeDefined();
      expect(filesOfLog(mediaDir, id)).toHaveLength(2);
      const [attachment] = (await call("GET", `/api/logs/${id}`)).body.attachments;
      expect((await fetch(server.url + attachment.url, { headers: { "x-api-key": server.token } })).status).toBe(200);
    }

    // The workspace without retention keeps its old logs.
    expect(await rowsOf("logs", OTHER_OLD)).toBe(2);
    expect(await rowsOf("spans", OTHER_OLD)).toBe(4);
    for (const id of OTHER_OLD) {
      expect((await other("GET", `/api/logs/${id}`)).status).toBe(200);
      expect(fs.readdirSync(path.join(mediaDir, otherWorkspaceId, encodeLogId(id)), { withFileTypes: true })).toHaveLength(2);
    }
    expect((await settingsOf(call)).usage.totalLogs).toBe(3);

    // Nothing more has expired: a second purge deletes nothing (one batch to find that out).
    const again = await server.running.runtime.retention.purgeOnce();
    expect(again).toMatchObject({ checked: 1, logs: 0, workspaces: [] });
  });

  test("two purges at once (two worker processes) split the expired logs: each deleted once, no failure, one log line each", async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `race-${i}`);
    for (const id of ids) await seedLog(call, id, 45);
    const lines: { msg: string; extra: Record<string, unknown> | undefined }[] = [];
    const capture: Logger = { ...silent, info: (msg, extra) => lines.push({ msg, extra }) };
    const { db: database, attachments } = server.running.runtime;
    const purger = () => new RetentionPurge(database.sql, attachments, capture, { defaultDays: undefined, batchSize: 2 });
    const [a, b] = await Promise.all([purger().purge(), purger().purge()]);
    expect(a.failed + b.failed).toBe(0);
    expect(a.logs + b.logs).toBe(ids.length);
    expect(a.files + b.files).toBe(ids.length);
    expect(await rowsOf("logs", ids)).toBe(0);
    expect(await rowsOf("spans", ids)).toBe(0);
    for (const id of ids) expect(filesOfLog(mediaDir, id)).toEqual([]);
    expect(await rowsOf("logs", NEW)).toBe(3);
    expect(lines.map((l) => l.msg)).toEqual(["retention purge", "retention purge"]);
    expect(lines.reduce((sum, l) => sum + Number(l.extra?.logs), 0)).toBe(ids.length);
    expect(lines[0]!.extra).toMatchObject({
      checked: 1,
      logs: expect.any(Number),
      spans: expect.any(Number),
      evaluations: expect.any(Number),
    });
  });

  test("retentionDays null goes back to the deployment's default (here: forever)", async () => {
    await seedLog(call, "old-again", 40);
    expect((await call("PATCH", "/api/settings", { retentionDays: null })).status).toBe(200);
    expect(await settingsOf(call)).toMatchObject({ retentionDays: null, effectiveRetentionDays: null });
    expect(await server.running.runtime.retention.purgeOnce()).toMatchObject({ checked: 0, logs: 0 });
    expect((await call("GET", "/api/logs/old-again")).status).toBe(200);
  });
});

describe("on the embedded database, purged by the worker's timer with the deployment's default", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServerOn("pglite", { TRACIRA_RETENTION_DAYS: "30", TRACIRA_RETENTION_INTERVAL_MS: "200" });
  });
  afterAll(async () => {
    await server?.close();
  });

  test("TRACIRA_RETENTION_DAYS applies to workspaces without their own retention; a workspace's own setting wins", async () => {
    const mediaDir = server.running.runtime.config.media.dir;
    // Set before its old log exists, so the timer never sees that log under the default.
    const keeper = callerFor(server.url, await server.newWorkspace("Keeps ten years"));
    expect((await keeper("PATCH", "/api/settings", { retentionDays: 3650 })).status).toBe(200);
    expect(await settingsOf(keeper)).toMatchObject({ retentionDays: 3650, effectiveRetentionDays: 3650 });
    expect(await settingsOf(server.call)).toMatchObject({ retentionDays: null, effectiveRetentionDays: 30 });

    // The timer (every 200 ms) waits while the logs are seeded: it could purge the old one between its
    // insert and its evaluation.
    let seeding = true;
    server.running.runtime.retention.runOnlyWhen(async () => !seeding);
    await seedLog(keeper, "keeper-old", 40);
    await seedLog(server.call, "pg-new", 2);
    await seedLog(server.call, "pg-old", 40);
    seeding = false;

    await until("the timer's purge of the expired log", async () =>
      (await server.call("GET", "/api/logs/pg-old")).status === 404 ? true : undefined,
    );
    const sql = server.running.runtime.db.sql;
    const count = async (table: string, column: string, id: string) =>
      Number((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [id]))[0]!.n);
    expect(await count("spans", "trace_id", "pg-old")).toBe(0);
    expect(await count("evaluations", "trace_id", "pg-old")).toBe(0);
    await until("the expired log's file removed", () => (filesOfLog(mediaDir, "pg-old").length === 0 ? true : undefined), 5_000);

    expect((await server.call("GET", "/api/logs/pg-new")).status).toBe(200);
    expect(await count("spans", "trace_id", "pg-new")).toBe(2);
    expect(filesOfLog(mediaDir, "pg-new")).toHaveLength(2);
    expect((await keeper("GET", "/api/logs/keeper-old")).status).toBe(200);
    expect(await count("spans", "trace_id", "keeper-old")).toBe(2);
    expect(filesOfLog(mediaDir, "keeper-old")).toHaveLength(2);
  });
});
