/**
 * Log rollups (#17): after a random mix of every kind of change to logs — ingests (async and sync, with
 * and without a task, timestamps across days), the worker's evaluations, decisions and changed decisions,
 * bulk actions, deletes, task deletes, project renames, merges and deletes, retention purges — the rollups
 * and every figure read from them (the list's summary under several filter sets, the overview, the
 * settings usage, the task names) equal a fresh count over `logs`; with one server and with two servers
 * on one database doing the mix at once; before and after folding; and after the rebuild, which reports
 * no change when nothing drifted and repairs a rollup corrupted by hand. The seed is printed; set
 * ROLLUP_SEED to replay a run.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { rebuildLogCounts } from "../src/db/log-rollups";
import type { SqlClient } from "../src/db/sql";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { callerFor, startTestServer, startTestServerOn, type Call, type TestServer } from "./helpers/server";
import { until } from "./helpers/until";

jest.setTimeout(300_000);

const DAY = 86_400_000;
const BASE_SEED = Number(process.env.ROLLUP_SEED ?? Date.now() % 1_000_000_000);
// eslint-disable-next-line no-console
console.log(`rollups test seed ${BASE_SEED} (ROLLUP_SEED=${BASE_SEED} replays it)`);

/** mulberry32: a small seeded generator, so a failing mix can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}
type Rng = ReturnType<typeof rng>;

interface Workspace {
  id: string;
  token: string;
  call: Call;
}

const PROJECTS = ["alpha", "beta", "gamma", "judged"];
const TASKS = ["triage", "reply", "summary"];

/** Changes that went through, by kind: the mix must have done each kind at least once. */
const done = new Map<string, number>();
const count = (kind: string, status: number) => {
  if (status < 300) done.set(kind, (done.get(kind) ?? 0) + 1);
};

/** One random change to logs, through the API (or the runtime, for the purge). */
async function step(r: Rng, server: TestServer, ws: Workspace, tag: string): Promise<void> {
  const { call } = ws;
  const someLogs = async (n: number) => {
    const res = await call(
      "GET",
      `/api/logs?limit=50&sortBy=${r.pick(["timestamp", "costUsd", "status"])}&sortDir=${r.pick(["asc", "desc"])}`,
    );
    const ids = (res.body.executions ?? []).map((e: { id: string }) => e.id) as string[];
    return Array.from({ length: Math.min(n, ids.length) }, () => r.pick(ids));
  };
  // The judged project (its rule is bound to it) is renamed, merged away or deleted by none of the steps.
  const someProject = async (judged = false) => {
    const projects = ((await call("GET", "/api/projects")).body as { id: string; name: string }[]).filter(
      (p) => judged || p.name !== "judged",
    );
    return projects.length ? r.pick(projects) : undefined;
  };
  const roll = r.int(100);
  if (roll < 45) {
    // Ingest: some outputs trip the keyword rule (flagged); the judged project's judge has no key (error).
    const body: Record<string, unknown> = {
      project: r.pick(PROJECTS),
      output: r.next() < 0.3 ? `we will refund you (${tag})` : `all good (${tag})`,
    };
    if (r.next() < 0.7) body.task = r.pick(TASKS);
    if (r.next() < 0.6) body.timestamp = new Date(Date.now() - r.int(10 * DAY)).toISOString();
    if (r.next() < 0.2) body.sync = true;
    const res = await call("POST", "/api/logs", body);
    expect(res.status).toBeLessThan(500);
    count(body.sync ? "sync ingest" : "ingest", res.status);
  } else if (roll < 60) {
    for (const id of await someLogs(1)) {
      count(
        "decision",
        (await call("PATCH", `/api/logs/${encodeURIComponent(id)}/decision`, { decision: r.pick(["approved", "rejected"]) })).status,
      );
    }
  } else if (roll < 70) {
    const ids = [...new Set(await someLogs(1 + r.int(5)))];
    const action = r.pick(["approve", "reject", "approve", "delete"]);
    if (ids.length) count(`bulk ${action}`, (await call("PATCH", "/api/logs/bulk", { ids, action })).status);
  } else if (roll < 77) {
    for (const id of await someLogs(1)) count("delete", (await call("DELETE", `/api/logs/${encodeURIComponent(id)}`)).status);
  } else if (roll < 81) {
    const project = await someProject();
    if (project) {
      count(
        "task delete",
        (await call("DELETE", `/api/projects/${project.id}/tasks?taskName=${encodeURIComponent(r.pick(TASKS))}`)).status,
      );
    }
  } else if (roll < 87) {
    const project = await someProject();
    const name = r.pick(PROJECTS) + (r.next() < 0.5 ? "" : "-renamed");
    if (project) count("project rename", (await call("PATCH", `/api/projects/${project.id}`, { name })).status);
  } else if (roll < 93) {
    const [a, b] = [await someProject(), await someProject(true)];
    if (a && b && a.id !== b.id)
      count("project merge", (await call("PATCH", `/api/projects/${a.id}`, { name: b.name, merge: true })).status);
  } else if (roll < 96) {
    const project = await someProject();
    if (project) count("project delete", (await call("DELETE", `/api/projects/${project.id}`)).status);
  } else {
    await call("PATCH", "/api/settings", { retentionDays: 5 });
    count("retention purge", (await server.running.runtime.retention.purgeOnce()).logs > 0 ? 200 : 404);
    await call("PATCH", "/api/settings", { retentionDays: null });
  }
}

// ---------- fresh counts over logs, and what the reads answer ----------

const GROUPS_FROM_LOGS = `
SELECT workspace_id::text || '|' || project_id || '|' || coalesce(task_name, '') || '|' || ("timestamp" AT TIME ZONE 'UTC')::date
       || '|' || date_trunc('month', created_at AT TIME ZONE 'UTC')::date || '|' || status || '|' || coalesce(human_decision::text, '') AS k,
       count(*)::int AS n
FROM logs GROUP BY 1`;
const GROUPS_FROM_ROLLUPS = `
SELECT workspace_id::text || '|' || project_id || '|' || task_name || '|' || day || '|' || created_month || '|' || status || '|' || human_decision AS k,
       sum(n)::int AS n
FROM (SELECT workspace_id, project_id, task_name, day, created_month, status, human_decision, n FROM log_counts
      UNION ALL
      SELECT workspace_id, project_id, task_name, day, created_month, status, human_decision, n FROM log_count_deltas) r
GROUP BY 1 HAVING sum(n) <> 0`;

const asMap = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((row) => [row.k, row.n]));

interface ListFilter {
  project?: string;
  task?: string;
  status?: string;
  pending?: boolean;
  from?: string;
  to?: string;
}

async function expectedSummary(sql: SqlClient, workspaceId: string, f: ListFilter) {
  const params: unknown[] = [workspaceId];
  const where = ["l.workspace_id = $1::uuid"];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (f.project !== undefined) add((n) => `p.name = ${n}`, f.project);
  if (f.task !== undefined) add((n) => `l.task_name = ${n}`, f.task);
  if (f.status !== undefined) add((n) => `l.status = ${n}::log_status`, f.status);
  if (f.pending) where.push(`l.human_decision IS NULL AND l.status IN ('flagged', 'error')`);
  if (f.from !== undefined) add((n) => `l.timestamp >= ${n}::timestamptz`, f.from);
  if (f.to !== undefined) add((n) => `l.timestamp <= ${n}::timestamptz`, f.to);
  const [row] = await sql.query<{ total: number; pass: number; failures: number; pending: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE l.status = 'pass')::int AS pass,
            count(*) FILTER (WHERE l.status IN ('flagged', 'error'))::int AS failures,
            count(*) FILTER (WHERE l.human_decision IS NULL AND l.status IN ('flagged', 'error'))::int AS pending
     FROM logs l JOIN projects p ON p.id = l.project_id WHERE ${where.join(" AND ")}`,
    params,
  );
  const finished = row!.pass + row!.failures;
  return {
    total: row!.total,
    summary: {
      totalRuns: row!.total,
      failuresDetected: row!.failures,
      pendingReviews: row!.pending,
      successRate: finished === 0 ? 0 : Math.round((1000 * row!.pass) / finished) / 10,
    },
  };
}

/** Filter sets the rollups serve (and edges of from/to that are not whole days). */
function filterSets(r: Rng): ListFilter[] {
  const now = Date.now();
  const midnight = Math.floor(now / DAY) * DAY;
  const at = (ms: number) => new Date(ms).toISOString();
  return [
    {},
    { status: "flagged" },
    { status: "pass" },
    { pending: true },
    { project: "alpha" },
    { project: "alpha-renamed", status: "error" },
    { project: "beta", task: "reply" },
    { task: "triage", pending: true },
    { from: at(now - 3 * DAY - r.int(DAY)), to: at(now - r.int(DAY)) },
    { from: at(midnight - 4 * DAY) },
    { to: at(midnight - 2 * DAY - 1) },
    { from: at(now - r.int(DAY)), to: at(now) },
    { from: at(midnight - 6 * DAY + r.int(DAY)), to: at(midnight - 2 * DAY + r.int(DAY)), status: "pass", project: "gamma" },
    { from: at(midnight - 9 * DAY), to: at(midnight - 5 * DAY - 1), pending: true },
    // Cut days counted either way: the part inside (little of the day) or the day minus the part outside.
    { from: at(midnight - 3 * DAY + 0.9 * DAY), to: at(midnight - DAY + 0.1 * DAY) },
    { from: at(midnight - 5 * DAY + 0.1 * DAY), to: at(midnight - 2 * DAY + 0.9 * DAY), status: "flagged" },
    { from: at(now - 7 * DAY), to: at(now) },
    { to: at(now) },
    // One day: whole, mostly (the day minus the parts outside), a little (the part inside).
    { from: at(midnight - DAY), to: at(midnight - 1) },
    { from: at(midnight - 3 * DAY + 0.1 * DAY), to: at(midnight - 2 * DAY - 0.1 * DAY), pending: true },
    { from: at(midnight - 4 * DAY + 0.4 * DAY), to: at(midnight - 4 * DAY + 0.5 * DAY) },
    { from: at(midnight - 2 * DAY + r.int(DAY)), to: at(now + 2 * 3_600_000) },
  ];
}

const query = (f: ListFilter) =>
  new URLSearchParams(Object.entries(f).map(([k, v]) => [k, String(v)] as [string, string])).toString() + "&limit=1";

/** The rollups, and every read served from them, against a fresh count of logs. */
async function expectExact(sql: SqlClient, server: TestServer, workspaces: Workspace[], r: Rng): Promise<void> {
  expect(asMap(await sql.query(GROUPS_FROM_ROLLUPS))).toEqual(asMap(await sql.query(GROUPS_FROM_LOGS)));
  const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
  for (const ws of workspaces) {
    for (const f of filterSets(r)) {
      const res = await ws.call("GET", `/api/logs?${query(f)}`);
      expect(res.status).toBe(200);
      expect({ filter: f, total: res.body.total, summary: res.body.summary }).toEqual({
        filter: f,
        ...(await expectedSummary(sql, ws.id, f)),
      });
    }

    const [usage] = await sql.query<{ total: number; month: number; pending: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE created_at >= $2)::int AS month,
              count(*) FILTER (WHERE human_decision IS NULL AND status IN ('flagged', 'error'))::int AS pending
       FROM logs WHERE workspace_id = $1::uuid`,
      [ws.id, monthStart],
    );
    const settings = await ws.call("GET", "/api/settings");
    expect(settings.body.usage).toMatchObject({ totalLogs: usage!.total, logsThisMonth: usage!.month, pendingReviews: usage!.pending });

    const overview = await server.running.deps.services.analytics.overview(ws.id, 14);
    const days = await sql.query<{ date: string; runs: number; passed: number; flagged: number; error: number }>(
      `SELECT to_char(("timestamp" AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS date, count(*)::int AS runs,
              count(*) FILTER (WHERE status = 'pass')::int AS passed, count(*) FILTER (WHERE status = 'flagged')::int AS flagged,
              count(*) FILTER (WHERE status = 'error')::int AS error
       FROM logs WHERE workspace_id = $1::uuid AND "timestamp" >= $2 GROUP BY 1`,
      [ws.id, new Date(Date.parse(overview.days[0]!.date))],
    );
    const byDate = new Map(days.map((d) => [d.date, d]));
    expect(overview.days).toEqual(
      overview.days.map((d) => ({ ...(byDate.get(d.date) ?? { runs: 0, passed: 0, flagged: 0, error: 0 }), date: d.date })),
    );
    expect(overview.pendingReviews).toBe(usage!.pending);

    for (const project of [undefined, "alpha", "beta", "judged", "nowhere"]) {
      const names = await sql.query<{ name: string }>(
        `SELECT name FROM (SELECT t.name, t.project_id FROM tasks t WHERE t.workspace_id = $1::uuid
                           UNION SELECT l.task_name, l.project_id FROM logs l WHERE l.workspace_id = $1::uuid AND l.task_name IS NOT NULL) x
         WHERE $2::text IS NULL OR project_id IN (SELECT id FROM projects WHERE workspace_id = $1::uuid AND name = $2)
         GROUP BY name`,
        [ws.id, project ?? null],
      );
      const res = await ws.call("GET", `/api/logs/tasks${project ? `?project=${project}` : ""}`);
      expect({ project, names: res.body }).toEqual({ project, names: names.map((n) => n.name).sort((a, b) => a.localeCompare(b)) });
    }
  }
}

async function workspacesOf(server: TestServer): Promise<Workspace[]> {
  const out: Workspace[] = [];
  for (const token of [server.token, await server.newWorkspace("Second")]) {
    const call = callerFor(server.url, token);
    out.push({ id: (await call("GET", "/api/settings")).body.id, token, call });
    expect((await call("POST", "/api/rules", { name: "No refunds", type: "keyword_forbidden", value: "refund" })).status).toBe(201);
    // A judge without any provider key: logs of this project end in error.
    expect((await call("POST", "/api/projects", { name: "judged" })).status).toBe(201);
    const rule = await call("POST", "/api/rules", { name: "Judge", type: "llm_judge", value: "Polite?", projectName: "judged" });
    expect(rule.status).toBe(201);
  }
  return out;
}

/** Nothing pending: every evaluation is done, so the figures hold still while they are compared. */
const settled = (sql: SqlClient) =>
  until(
    "every log evaluated",
    async () =>
      (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE status = 'pending'`))[0]!.n === 0 ? true : undefined,
    60_000,
  );

async function mix(r: Rng, server: TestServer, workspaces: Workspace[], steps: number, tag: string) {
  for (let i = 0; i < steps; i++) await step(r, server, r.pick(workspaces), `${tag}-${i}`);
}

describe("on Postgres", () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let workspaces: Workspace[];
  let sql: SqlClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Folding is run by the test (foldOnce) so both states are compared: deltas pending, and folded.
    const env = { DATABASE_URL: db.url, TRACIRA_ROLLUP_FOLD_MS: "3600000", TRACIRA_WORKER_POLL_MS: "50" };
    a = await startTestServer(env);
    b = await startTestServer({ ...env, TRACIRA_BOOTSTRAP_TOKEN: a.token });
    sql = a.running.runtime.db.sql;
    workspaces = await workspacesOf(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  test("a random mix on one server: rollups and every read equal a fresh count, before and after folding", async () => {
    const r = rng(BASE_SEED);
    await mix(r, a, workspaces, 250, "one");
    await settled(sql);
    const kinds = ["ingest", "sync ingest", "decision", "bulk approve", "bulk delete", "delete", "project rename", "project merge"];
    expect(Object.fromEntries(kinds.map((k) => [k, (done.get(k) ?? 0) > 0]))).toEqual(Object.fromEntries(kinds.map((k) => [k, true])));
    const states = await sql.query<{ s: string }>(
      `SELECT DISTINCT status::text AS s FROM logs UNION SELECT DISTINCT human_decision::text FROM logs WHERE human_decision IS NOT NULL`,
    );
    expect(states.map((x) => x.s).sort()).toEqual(["approved", "error", "flagged", "pass", "rejected"]);
    const pending = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM log_count_deltas`))[0]!.n;
    expect(pending).toBeGreaterThan(0);
    await expectExact(sql, a, workspaces, r);
    expect(await a.running.runtime.rollups.foldOnce()).toBe(pending);
    expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM log_count_deltas`))[0]!.n).toBe(0);
    expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM log_counts WHERE n = 0`))[0]!.n).toBe(0);
    await expectExact(sql, a, workspaces, r);
  });

  test("two servers on one database doing the mix at once (and folding meanwhile): still exact", async () => {
    const bWorkspaces = workspaces.map((ws) => ({ ...ws, call: callerFor(b.url, ws.token) }));
    const folding = (async () => {
      for (let i = 0; i < 20; i++) {
        await Promise.all([a.running.runtime.rollups.foldOnce(), b.running.runtime.rollups.foldOnce()]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await Promise.all([mix(rng(BASE_SEED + 1), a, workspaces, 200, "a"), mix(rng(BASE_SEED + 2), b, bWorkspaces, 200, "b"), folding]);
    await settled(sql);
    await expectExact(sql, a, workspaces, rng(BASE_SEED + 3));
    await Promise.all([a.running.runtime.rollups.foldOnce(), b.running.runtime.rollups.foldOnce()]);
    await a.running.runtime.rollups.foldOnce();
    await expectExact(sql, b, bWorkspaces, rng(BASE_SEED + 4));
  });

  test("the rebuild reports no change when nothing drifted, and repairs a rollup corrupted by hand", async () => {
    expect(await rebuildLogCounts(sql)).toEqual([]);
    await sql.query(
      `UPDATE log_counts SET n = n + 5 WHERE ctid = (SELECT ctid FROM log_counts WHERE workspace_id = $1::uuid ORDER BY n DESC LIMIT 1)`,
      [workspaces[0]!.id],
    );
    const fresh = (
      await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM logs WHERE workspace_id = $1::uuid`, [workspaces[0]!.id])
    )[0]!.n;
    // Reads are served by the rollups: the corruption shows until the rebuild.
    expect((await workspaces[0]!.call("GET", "/api/settings")).body.usage.totalLogs).toBe(fresh + 5);
    const [gone] = await sql.query<{ project_id: string; day: string }>(
      `DELETE FROM log_counts WHERE ctid = (SELECT ctid FROM log_counts WHERE workspace_id = $1::uuid ORDER BY n LIMIT 1)
       RETURNING project_id, to_char(day, 'YYYY-MM-DD') AS day`,
      [workspaces[1]!.id],
    );
    const changes = await rebuildLogCounts(sql);
    expect(changes).toHaveLength(2);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ workspaceId: workspaces[0]!.id, now: expect.any(Number) }),
        expect.objectContaining({ workspaceId: workspaces[1]!.id, projectId: gone!.project_id, day: gone!.day, was: 0 }),
      ]),
    );
    const bumped = changes.find((c) => c.workspaceId === workspaces[0]!.id)!;
    expect(bumped.was - bumped.now).toBe(5);
    await expectExact(sql, a, workspaces, rng(BASE_SEED + 5));
  });

  test("npm run db:rebuild-rollups (the built CLI) prints what it corrected, then no change", async () => {
    const cli = path.resolve(__dirname, "../dist/cli/rebuild-rollups.js");
    const run = () =>
      promisify(execFile)(process.execPath, [cli], {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          TRACIRA_SECRET_KEY: "dGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzLWxvbmctLS0",
          TRACIRA_LOG_LEVEL: "error",
        },
        timeout: 60_000,
      });
    await sql.query(`UPDATE log_counts SET n = n + 1 WHERE ctid = (SELECT ctid FROM log_counts LIMIT 1)`);
    expect((await run()).stdout).toMatch(/1 group\(s\) corrected:\n {2}workspace [0-9a-f-]{36} project [0-9a-f-]{36}.* (\d+) -> \d+\n/);
    expect((await run()).stdout).toMatch(/no change/);
    await expectExact(sql, a, workspaces, rng(BASE_SEED + 6));
  });
});

describe("on PGlite (the embedded default)", () => {
  let server: TestServer;
  let workspaces: Workspace[];

  beforeAll(async () => {
    server = await startTestServerOn("pglite", { TRACIRA_ROLLUP_FOLD_MS: "3600000", TRACIRA_WORKER_POLL_MS: "50" });
    workspaces = await workspacesOf(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  test("a random mix: exact before and after folding, and after the rebuild", async () => {
    const sql = server.running.runtime.db.sql;
    const r = rng(BASE_SEED + 7);
    await mix(r, server, workspaces, 120, "pglite");
    await settled(sql);
    await expectExact(sql, server, workspaces, r);
    expect(await server.running.runtime.rollups.foldOnce()).toBeGreaterThan(0);
    await expectExact(sql, server, workspaces, r);
    await sql.query(`UPDATE log_counts SET n = n + 2 WHERE ctid = (SELECT ctid FROM log_counts LIMIT 1)`);
    expect(await rebuildLogCounts(sql)).toHaveLength(1);
    expect(await rebuildLogCounts(sql)).toEqual([]);
    await expectExact(sql, server, workspaces, r);
  });
});
