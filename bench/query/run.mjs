#!/usr/bin/env node
/**
 * Query benchmark: every documented read of one busy workspace (1M logs by default) beside the bare index
 * lookup of the same first page in SQL, measured in the same run.
 *
 *   npm run bench:query -- [--logs 1000000] [--reads 30] [--warmup 3] [--cursor-depth 500] [--json] [--server main.js]
 *
 * One run, on a fresh database (dropped at the end, also on failure or Ctrl-C; 127.0.0.1 only):
 *
 * 1. The server starts once (migrations, its bootstrapped workspace) and stops; the workspace is seeded by
 *    SQL (bench/query/seed.mjs) and vacuumed. When the server's build has the rollup rebuild
 *    (`cli/rebuild-rollups.js`, what `npm run db:rebuild-rollups` runs), the seed runs with triggers off and
 *    the rollups are rebuilt afterwards; otherwise the triggers (if any) keep them as the rows go in.
 * 2. The server starts again with its worker off (the few hundred pending logs stay pending), a dashboard
 *    user signs up with the printed token (the workspace's admin), and each read is sent `--warmup` times
 *    untimed, then `--reads` times in a row on one keep-alive connection, timed to the last byte.
 * 3. Beside each read, its floor: the ids of the same first page (same filter, same order, same LIMIT) read
 *    through `pg` by the bench, as often. For reads without a page of their own (task names, settings,
 *    the overview) the floor is the unfiltered first page of the list. For the list's pages, the server's
 *    ids must equal the floor's (the same rows in the same order), else the run reports an error.
 *
 * Printed: p50 and p95 of each read, the floor's p95, their ratio, and the issue's goal (p95 ≤ 50 ms; q ≤ 150
 * ms; search ≤ 100 ms) met or not. A missed goal is not an error; the exit code is non-zero only for errors.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "../lib/args.mjs";
import { fmt, log, ROOT, writeResults } from "../lib/common.mjs";
import { dbUrl, query, timedSql } from "../lib/db.mjs";
import { latencySummary, requestJson, timedRequests } from "../lib/http-load.mjs";
import { run, stopIfAborted } from "../lib/procs.mjs";
import { runBench } from "../lib/session.mjs";
import { DEFAULT_SERVER, startServer } from "../lib/tracira.mjs";
import { describeSeed, seedWorkspace } from "./seed.mjs";

const USAGE = `
usage: node bench/query/run.mjs [options]     (npm run bench:query -- [options]; build first)

  --logs N           logs seeded into the workspace (default 1000000; 10000000 for the large run)
  --reads N          timed requests per read (default 30)
  --warmup N         untimed requests before them (default 3)
  --cursor-depth N   the deep page: page N of the list (by page=N, and by the cursor when the list has one) (default 500)
  --json             write bench/results/query-<time>.json
  --server PATH      server entry (default backend/dist/main.js)
  --keep             keep the seeded database (its name, token and seed are written to bench/results/query-kept.json)
  --reuse            time the reads again on the database --keep left (no seeding; it stays in place)

Needs Postgres at 127.0.0.1:5432 (user postgres, trust; BENCH_PG_URL overrides).
`;
const OPTIONS = {
  logs: { kind: "number", default: 1_000_000, min: 1_000 },
  reads: { kind: "number", default: 30, min: 1 },
  warmup: { kind: "number", default: 3 },
  cursorDepth: { kind: "number", default: 500, min: 2 },
  json: { kind: "flag" },
  server: { kind: "path", default: DEFAULT_SERVER },
  keep: { kind: "flag" },
  reuse: { kind: "flag" },
};
/** What --keep leaves for --reuse. */
const KEPT = path.join(ROOT, "bench/results/query-kept.json");

/** Server-side p95 goals of the issue (ms). */
const GOALS = { read: 50, q: 150, search: 100 };
const LIMIT = 50;
/** The text of the `q` reads (a customer id prefix: cust-42, cust-420…, cust-4200…). */
const Q = "cust-42";
/** The dashboard's review queue, as web/src/hooks/useReviewQueue.ts asks for it. */
const REVIEW_QUEUE = { pending: "true", sortBy: "timestamp", sortDir: "asc", limit: "100" };
const PENDING_REVIEW = `l.human_decision IS NULL AND l.status IN ('flagged', 'error')`;
const DASHBOARD_USER = { email: "bench@example.com", password: "bench password 1234", name: "Bench" };
const SORT_COLUMNS = {
  timestamp: { sql: "l.timestamp" },
  projectName: { sql: "p.name" },
  model: { sql: "l.model", nullsLast: true },
  status: { sql: "l.status" },
  latencyMs: { sql: "l.latency_ms", nullsLast: true },
  costUsd: { sql: "l.cost_usd", nullsLast: true },
};
const lit = (v) => `'${String(v).replaceAll("'", "''")}'`;

// ---------- the reads ----------

/** The list's ORDER BY for a sort, as LogQueryService builds it (ties by time, then id). */
function orderBy(sortBy = "timestamp", sortDir = "desc") {
  const dir = sortDir === "asc" ? "ASC" : "DESC";
  const c = SORT_COLUMNS[sortBy];
  return `${c.sql} ${dir}${c.nullsLast ? " NULLS LAST" : ""}, l.timestamp ${dir}, l.id ${dir}`;
}

/**
 * The floor of a list page: its ids by SQL alone (workspace $1), the same rows in the same order as the
 * list's, written so an index can serve the order: a nullable sort (nulls last both ways) reads its non-null
 * rows and its null rows as two ordered parts of at most a page each; the project-name sort reads projects in
 * name order, each one's newest (or oldest) logs. Without such an index the same SQL sorts, and the floor
 * shows it.
 */
function pageSql({ where = [], sortBy = "timestamp", sortDir = "desc", limit = LIMIT }) {
  const dir = sortDir === "asc" ? "ASC" : "DESC";
  const filtered = (extra = []) => ["l.workspace_id = $1::uuid", ...where, ...extra].join(" AND ");
  const byTime = `l.timestamp ${dir}, l.id ${dir}`;
  const { sql: column, nullsLast } = SORT_COLUMNS[sortBy];
  if (sortBy === "projectName") {
    return `SELECT page.id FROM projects p CROSS JOIN LATERAL (
        SELECT l.id, l.timestamp FROM logs l WHERE ${filtered(["l.project_id = p.id"])} ORDER BY ${byTime} LIMIT ${limit}) page
      WHERE p.workspace_id = $1::uuid ORDER BY p.name ${dir}, page.timestamp ${dir}, page.id ${dir} LIMIT ${limit}`;
  }
  const from = "FROM logs l JOIN projects p ON p.id = l.project_id";
  if (nullsLast) {
    const part = (n, extra, order) =>
      `(SELECT ${n} AS part, l.id, ${column} AS v, l.timestamp ${from} WHERE ${filtered([extra])} ORDER BY ${order} LIMIT ${limit})`;
    return `SELECT id FROM (${part(0, `${column} IS NOT NULL`, `${column} ${dir}, ${byTime}`)} UNION ALL ${part(1, `${column} IS NULL`, byTime)}) page
      ORDER BY part, v ${dir}, timestamp ${dir}, id ${dir} LIMIT ${limit}`;
  }
  return `SELECT l.id ${from} WHERE ${filtered()} ORDER BY ${orderBy(sortBy, sortDir)} LIMIT ${limit}`;
}

/**
 * GET /api/logs with `params` (strings, as in a URL), its floor's WHERE clauses, and the goal. Each list read
 * is checked: its page must be the floor's rows.
 */
const listRead = (name, params, where, goal = GOALS.read) => ({
  name,
  goal,
  path: `/api/logs?${new URLSearchParams({ limit: String(LIMIT), ...params })}`,
  floor: pageSql({ where, sortBy: params.sortBy, sortDir: params.sortDir }),
  sameIdsAsFloor: true,
});

/** Values the filters are given: picked from the seeded rows, so each selects a realistic share. */
async function pickValues(database, workspaceId, projects) {
  // The n-th newest value, or the newest when there are fewer (small runs).
  const nth = (column, where, n) =>
    `coalesce((SELECT ${column} FROM logs WHERE ${where} ORDER BY timestamp DESC OFFSET ${n} LIMIT 1),
       (SELECT ${column} FROM logs WHERE ${where} ORDER BY timestamp DESC LIMIT 1))`;
  const [row] = await query(
    database,
    `SELECT ${nth("session_id", "workspace_id = $1 AND session_id IS NOT NULL", 5000)} AS session,
       ${nth("subject_id", "workspace_id = $1 AND subject_id IS NOT NULL", 7000)} AS subject,
       ${nth("session_id", "workspace_id = $1 AND project_id = $2 AND span_count > 0 AND session_id IS NOT NULL", 100)} AS traced_session`,
    [workspaceId, projects["sales-emails"]],
  );
  const [{ ids }] = await query(
    database,
    "SELECT coalesce(array_agg(id), '{}') AS ids FROM projects WHERE workspace_id = $1 AND name ILIKE $2",
    [workspaceId, `%${Q}%`],
  );
  row.qProjects = ids;
  const today = new Date();
  const dayStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - 1));
  const dayEnd = new Date(dayStart.getTime() + 86_400_000 - 1);
  return { ...row, from: dayStart.toISOString(), to: dayEnd.toISOString() };
}

/**
 * The floor's WHERE for `q`: the project names, then the text the build's trigram index covers
 * (`SEARCH_TEXT_SQL` of its services/logs/list-sql.js, so the floor can use that index) or, in a build
 * without it, each searched column. The same rows either way (the list's ids are checked against them).
 */
function qWhereOf(server, q, projectIds) {
  const pattern = lit(`%${q}%`);
  const file = path.join(path.dirname(server), "services/logs/list-sql.js");
  const searchText = existsSync(file) ? createRequire(file)(file).SEARCH_TEXT_SQL : undefined;
  const inLogs = searchText
    ? `${searchText} ILIKE ${pattern}`
    : `(${["l.task_name", "l.model", "l.session_id", "l.subject_id", "l.actor_id"].map((c) => `${c} ILIKE ${pattern}`).join(" OR ")})`;
  // The projects whose name matches, read before (as the list does): the planner then knows their share.
  const inProjects = projectIds.length ? [`l.project_id = ANY (${lit(`{${projectIds.join(",")}}`)}::uuid[])`] : [];
  return `(${[...inProjects, inLogs].join(" OR ")})`;
}

function listReads(v, server) {
  const project = "sales-emails";
  const pid = `p.name = ${lit(project)}`;
  const day = [`l.timestamp >= ${lit(v.from)}::timestamptz`, `l.timestamp <= ${lit(v.to)}::timestamptz`];
  const q = Q;
  const qWhere = qWhereOf(server, q, v.qProjects);
  const reads = [
    listRead("list page 1 (newest)", {}, []),
    listRead("status=flagged", { status: "flagged" }, ["l.status = 'flagged'"]),
    listRead("pending=true", { pending: "true" }, [PENDING_REVIEW]),
    listRead(`project=${project}`, { project }, [pid]),
    listRead("task=follow-up", { task: "follow-up" }, ["l.task_name = 'follow-up'"]),
    listRead("sessionId=<one>", { sessionId: v.session }, [`l.session_id = ${lit(v.session)}`]),
    listRead("subjectId=<one>", { subjectId: v.subject }, [`l.subject_id = ${lit(v.subject)}`]),
    listRead("actorId=agent-7", { actorId: "agent-7" }, ["l.actor_id = 'agent-7'"]),
    listRead("tags=v1", { tags: "v1" }, ["l.tags @> ARRAY['v1']"]),
    listRead("from/to one day", { from: v.from, to: v.to }, day),
    listRead(`q=${q}`, { q }, [qWhere], GOALS.q),
  ];
  for (const sortBy of Object.keys(SORT_COLUMNS)) {
    for (const sortDir of ["asc", "desc"]) reads.push(listRead(`sortBy=${sortBy} ${sortDir}`, { sortBy, sortDir }, []));
  }
  reads.push(
    listRead(`project+status=flagged`, { project, status: "flagged" }, [pid, "l.status = 'flagged'"]),
    listRead(`pending+project`, { pending: "true", project }, [PENDING_REVIEW, pid]),
    listRead(`tags=v1+from/to`, { tags: "v1", from: v.from, to: v.to }, ["l.tags @> ARRAY['v1']", ...day]),
    listRead(`q=${q}+project`, { q, project }, [qWhere, pid], GOALS.q),
  );
  return reads;
}

// ---------- HTTP ----------

/** Signs a dashboard user up with the bootstrap token (the workspace's admin); returns the session cookie. */
/** The dashboard user's session cookie: signed up with the workspace token, or logged in again (--reuse). */
function dashboardSession(url, token, logIn) {
  const body = logIn ? { email: DASHBOARD_USER.email, password: DASHBOARD_USER.password } : { ...DASHBOARD_USER, claimToken: token };
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(`/trpc/auth.${logIn ? "logIn" : "signUp"}`, url),
      { method: "POST", headers: { "content-type": "application/json", "content-length": data.length, "x-tracira-csrf": "1" } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const cookie = (res.headers["set-cookie"] ?? []).map((c) => /^tracira_session=([^;]+)/.exec(c)?.[1]).find(Boolean);
          if (res.statusCode !== 200 || !cookie)
            reject(new Error(`${logIn ? "log-in" : "sign-up"}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`));
          else resolve(`tracira_session=${cookie}`);
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const trpcPath = (procedure, input) => `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;

/** One untimed read (setup): the parsed answer, or an error naming the read. */
async function fetchJson(url, read, auth) {
  const [answer] = await timedRequests(new URL(read.path, url), auth.token(read), 1, requestOptions(read, auth));
  if (answer.status !== 200) throw new Error(`${read.name}: ${answer.status} ${answer.body.toString().slice(0, 500)}`);
  return JSON.parse(answer.body.toString());
}

const requestOptions = (read, auth) => ({
  method: read.body ? "POST" : "GET",
  body: read.body,
  headers: read.dashboard ? { cookie: auth.cookie, "x-tracira-csrf": "1" } : undefined,
});

// ---------- measuring ----------

/** Ids of a list answer (REST or tRPC). */
const pageIds = (json) => (json.result?.data ?? json).executions?.map((e) => e.id);

async function measure({ url, database, workspaceId, auth, opts, read }) {
  const target = new URL(read.path, url);
  const options = requestOptions(read, auth);
  const token = auth.token(read);
  await timedRequests(target, token, opts.warmup, options);
  const answers = await timedRequests(target, token, opts.reads, options);
  const bad = answers.find((a) => a.status !== 200);
  if (bad) throw new Error(`${read.name}: ${bad.status} ${bad.body.toString().slice(0, 500)}`);
  const floor = await timedSql(database, read.floor, [workspaceId, ...(read.floorParams ?? [])], opts.reads);
  const problems = [];
  if (read.sameIdsAsFloor) {
    const ids = pageIds(JSON.parse(answers.at(-1).body.toString()));
    const expected = floor.rows.map((r) => r.id);
    if (JSON.stringify(ids) !== JSON.stringify(expected)) {
      problems.push(`${read.name}: the page differs from the same page by SQL (${ids?.length} vs ${expected.length} ids)`);
    }
  }
  const answer = JSON.parse(answers.at(-1).body.toString());
  const body = answer.result?.data ?? answer;
  return {
    name: read.name,
    goal: read.goal,
    http: latencySummary(answers.map((a) => a.ms)),
    floor: latencySummary(floor.ms),
    floorName: read.floorName ?? "same page by SQL",
    rows: body.executions?.length ?? body.traces?.length ?? body.sessions?.length,
    total: body.total,
    problems,
  };
}

/**
 * Walks the list `depth - 1` pages deep through `nextCursor` (untimed); returns the read of page `depth` by
 * its cursor, or undefined when the list has no cursor.
 */
async function deepCursorRead(url, auth, depth, floor) {
  let json = await fetchJson(url, { name: "list page 1", path: `/api/logs?limit=${LIMIT}` }, auth);
  if (!("nextCursor" in json)) return undefined;
  const t0 = performance.now();
  for (let page = 2; page <= depth; page++) {
    if (!json.nextCursor) throw new Error(`the list's cursor ended at page ${page - 1}`);
    stopIfAborted();
    const path = `/api/logs?${new URLSearchParams({ limit: String(LIMIT), cursor: json.nextCursor })}`;
    if (page === depth) {
      log(`walked ${depth - 1} pages through the cursor in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return { name: `page ${depth} by cursor`, goal: GOALS.read, path, ...floor, sameIdsAsFloor: true };
    }
    json = await fetchJson(url, { name: `list page ${page} by cursor`, path }, auth);
  }
  return undefined;
}

/** The traces list walked `depth - 1` pages through its cursor; returns the read of the next page. */
async function deepTraceRead(url, auth, depth) {
  let json = await fetchJson(url, { name: "traces page 1", path: `/api/traces?limit=${LIMIT}` }, auth);
  for (let page = 2; page < depth; page++) {
    if (!json.nextCursor) throw new Error(`the traces cursor ended at page ${page - 1}`);
    json = await fetchJson(
      url,
      { name: `traces page ${page}`, path: `/api/traces?limit=${LIMIT}&cursor=${encodeURIComponent(json.nextCursor)}` },
      auth,
    );
  }
  const [startedAt, id] = json.nextCursor.split("|");
  return {
    name: `GET /api/traces page ${depth} (cursor)`,
    goal: GOALS.read,
    path: `/api/traces?limit=${LIMIT}&cursor=${encodeURIComponent(json.nextCursor)}`,
    floor: `SELECT l.id FROM logs l WHERE l.workspace_id = $1::uuid AND (l.started_at, l.id) < ($2::timestamptz, $3)
      ORDER BY l.started_at DESC, l.id DESC LIMIT ${LIMIT + 1}`,
    floorParams: [startedAt, id],
  };
}

/** Reads beyond the list's filters: the deep pages, task names, settings, the dashboard's, traces, sessions. */
async function otherReads({ url, database, workspaceId, auth, opts, v, projects }) {
  const depth = opts.cursorDepth;
  // The deep page's floor: the keyset lookup of the same rows (the page before it ends at its offset).
  const [edge] = await query(
    database,
    `SELECT timestamp, id FROM logs WHERE workspace_id = $1 ORDER BY timestamp DESC, id DESC OFFSET ${(depth - 1) * LIMIT - 1} LIMIT 1`,
    [workspaceId],
  );
  if (!edge) throw new Error(`--cursor-depth ${depth} (pages of ${LIMIT}) goes past the ${opts.logs} logs seeded: give a smaller one`);
  const keysetFloor = {
    floor: `SELECT l.id FROM logs l WHERE l.workspace_id = $1::uuid AND (l.timestamp, l.id) < ($2::timestamptz, $3)
      ORDER BY l.timestamp DESC, l.id DESC LIMIT ${LIMIT}`,
    floorParams: [edge.timestamp, edge.id],
    floorName: "same page by keyset SQL",
  };
  const firstPage = { floor: pageSql({}), floorName: "list page 1 by SQL" };
  const reads = [
    { name: `page=${depth}`, goal: GOALS.read, path: `/api/logs?limit=${LIMIT}&page=${depth}`, ...keysetFloor, sameIdsAsFloor: true },
  ];
  const byCursor = await deepCursorRead(url, auth, depth, keysetFloor);
  if (byCursor) reads.push(byCursor);
  else log("the list has no cursor (no nextCursor in its answer): the cursor's deep page is not measured");
  const project = "sales-emails";
  reads.push(
    { name: "GET /api/logs/tasks", goal: GOALS.read, path: "/api/logs/tasks", ...firstPage },
    { name: "GET /api/settings", goal: GOALS.read, path: "/api/settings", ...firstPage },
    {
      name: "dashboard overview (14 days)",
      goal: GOALS.read,
      dashboard: true,
      path: trpcPath("analytics.overview", { days: 14 }),
      ...firstPage,
    },
    {
      name: "dashboard review queue",
      goal: GOALS.read,
      dashboard: true,
      path: trpcPath("logs.list", REVIEW_QUEUE),
      floor: pageSql({ where: [PENDING_REVIEW], sortBy: "timestamp", sortDir: "asc", limit: 100 }),
      sameIdsAsFloor: true,
    },
    {
      name: "GET /api/traces page 1",
      goal: GOALS.read,
      path: `/api/traces?limit=${LIMIT}`,
      floor: `SELECT l.id FROM logs l WHERE l.workspace_id = $1::uuid ORDER BY l.started_at DESC, l.id DESC LIMIT ${LIMIT + 1}`,
    },
    await deepTraceRead(url, auth, Math.min(depth, 100)),
    {
      name: "POST /api/traces/search (project+2)",
      goal: GOALS.search,
      path: "/api/traces/search",
      body: {
        projectId: project,
        filters: [
          { column: "model", operator: "equals", value: "gpt-4o" },
          { column: "tags", operator: "contains", value: "v1" },
        ],
        limit: LIMIT,
      },
      floor: `SELECT l.id FROM logs l WHERE l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.model = 'gpt-4o'
        AND l.tags @> ARRAY['v1'] ORDER BY l.started_at DESC, l.id DESC LIMIT ${LIMIT + 1}`,
      floorParams: [projects[project]],
      floorName: "same search by SQL",
    },
    {
      name: `GET /api/projects/${project}/sessions`,
      path: `/api/projects/${project}/sessions`,
      floor: `SELECT l.session_id FROM logs l WHERE l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.session_id IS NOT NULL
        ORDER BY l.started_at DESC, l.id DESC LIMIT ${LIMIT + 1}`,
      floorParams: [projects[project]],
      floorName: "newest session rows by SQL",
    },
    {
      name: "GET …/sessions/<one>/metrics",
      goal: GOALS.read,
      path: `/api/projects/${project}/sessions/${encodeURIComponent(v.traced_session)}/metrics`,
      floor: `SELECT s.* FROM logs l JOIN spans s ON s.trace_id = l.id
        WHERE l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.session_id = $3 ORDER BY l.started_at, s.dotted_order`,
      floorParams: [projects[project], v.traced_session],
      floorName: "the session's events by SQL",
    },
  );
  return reads;
}

// ---------- seeding and rollups ----------

/**
 * The rollup rebuild of the server's own build (`npm run db:rebuild-rollups` runs the same file), when that
 * build has one: the seed then skips the triggers and the rebuild counts everything once.
 */
function rollupRebuild(server) {
  const cli = path.join(path.dirname(server), "cli/rebuild-rollups.js");
  return existsSync(cli) ? cli : undefined;
}

async function seed({ opts, database, workspaceId }) {
  const rebuild = rollupRebuild(opts.server);
  log(
    rebuild
      ? "the build has a rollup rebuild: seeding with triggers off, then rebuilding the rollups (db:rebuild-rollups)"
      : "the build has no rollup rebuild: the seed's rows go through whatever triggers the schema has",
  );
  const seeded = await seedWorkspace(database, { workspaceId, logs: opts.logs, triggersOff: Boolean(rebuild) });
  if (rebuild) {
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, [rebuild], {
      timeoutMs: 3_600_000,
      env: { DATABASE_URL: dbUrl(database), TRACIRA_LOG_LEVEL: "warn", NODE_ENV: "production" },
    });
    seeded.rollupSeconds = (performance.now() - t0) / 1000;
    log(`rollups rebuilt in ${seeded.rollupSeconds.toFixed(1)} s: ${stdout.split("\n")[0]}`);
  }
  seeded.rollups = rebuild ? `rebuilt in ${seeded.rollupSeconds.toFixed(0)} s` : "kept by triggers, if any";
  seeded.shape = await describeSeed(database, workspaceId);
  return seeded;
}

// ---------- report ----------

function print({ opts, counts, results, seeded }) {
  console.log("");
  console.log(
    `Reads of one workspace of ${counts.logs.toLocaleString("en")} logs and ${counts.spans.toLocaleString("en")} spans ` +
      `(seeded in ${seeded.seconds.toFixed(0)} s), ${opts.reads} sequential requests each after ${opts.warmup} untimed; ` +
      `floor = the same first page by SQL through pg`,
  );
  const s = seeded.shape;
  console.log(
    `seeded: ${s.flagged_pct} % flagged, ${s.error_pct} % error, ${s.pending} pending, ${s.decided} decided, ${s.awaiting_review} awaiting review; ` +
      `${s.in_session_pct} % in ${s.sessions.toLocaleString("en")} sessions; ${s.traces.toLocaleString("en")} traces with spans; ` +
      `${s.untagged_pct} % untagged; rollups ${seeded.rollups}`,
  );
  console.log(
    `projects: ${Object.entries(s.projects)
      .map(([name, n]) => `${name} ${n.toLocaleString("en")}`)
      .join(", ")}`,
  );
  const header = `${"read".padEnd(40)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"floor p95".padStart(11)}${"ratio".padStart(8)}${"goal".padStart(7)}  met  floor`;
  console.log(header);
  console.log("-".repeat(header.length + 20));
  for (const r of results) {
    const met = r.goal === undefined ? "  -" : r.http.p95Ms <= r.goal ? "yes" : " NO";
    console.log(
      `${r.name.slice(0, 39).padEnd(40)}${fmt(r.http.p50Ms, 1).padStart(9)}${fmt(r.http.p95Ms, 1).padStart(9)}${fmt(r.floor.p95Ms, 2).padStart(11)}` +
        `${fmt(r.http.p95Ms / r.floor.p95Ms, 1).padStart(8)}${(r.goal === undefined ? "-" : `≤${r.goal}`).padStart(7)}  ${met}  ${r.floorName}`,
    );
  }
  const withGoal = results.filter((r) => r.goal !== undefined);
  const missed = withGoal.filter((r) => r.http.p95Ms > r.goal);
  console.log(
    `goals met: ${withGoal.length - missed.length} of ${withGoal.length}${missed.length ? ` (missed: ${missed.map((r) => r.name).join("; ")})` : ""}`,
  );
}

// ---------- main ----------

/** A fresh database seeded (and, with --keep, recorded for --reuse), or the one --keep recorded. */
async function prepare(opts, database) {
  if (opts.reuse) {
    const kept = JSON.parse(readFileSync(KEPT, "utf8"));
    log(`reusing ${kept.database} (seeded earlier): no seed`);
    return { ...kept, signIn: true };
  }
  const token = `wh-${randomBytes(32).toString("base64url")}`;
  const server = startServer({ main: opts.server, database, token, env: { TRACIRA_WORKER: "false" } });
  await server.url;
  await server.stop();
  const [{ id: workspaceId }] = await query(database, "SELECT id FROM workspaces ORDER BY created_at LIMIT 1");
  stopIfAborted();
  const seeded = await seed({ opts, database, workspaceId });
  if (opts.keep) {
    mkdirSync(path.dirname(KEPT), { recursive: true });
    writeFileSync(KEPT, JSON.stringify({ database, token, workspaceId, seeded }, null, 2));
    log(`database ${database} is kept (drop it with: psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE ${database}')`);
  }
  return { token, workspaceId, seeded, signIn: false };
}

async function main(opts, { stamp, database, postgres }) {
  if (!existsSync(opts.server)) throw new Error(`${opts.server} is missing: build first (npm run build)`);
  log(`database ${database} (Postgres ${postgres.version}), server ${path.relative(ROOT, opts.server) || opts.server}`);
  const { token, workspaceId, seeded, signIn } = await prepare(opts, database);
  const [counts] = await query(database, "SELECT (SELECT count(*) FROM logs)::int AS logs, (SELECT count(*) FROM spans)::int AS spans");
  stopIfAborted();

  // The worker is off, so the seeded pending logs stay pending and nothing writes while the reads are timed.
  const server = startServer({ main: opts.server, database, token, env: { TRACIRA_WORKER: "false" } });
  const url = await server.url;
  const ready = await requestJson(new URL("/api/verify", url), { token });
  if (ready.status !== 200) throw new Error(`GET /api/verify: ${ready.status}`);
  const auth = { cookie: await dashboardSession(url, token, signIn), token: (read) => (read.dashboard ? undefined : token) };
  const v = await pickValues(database, workspaceId, seeded.projects);
  const reads = [
    ...listReads(v, opts.server),
    ...(await otherReads({ url, database, workspaceId, auth, opts, v, projects: seeded.projects })),
  ];

  const results = [];
  const problems = [];
  for (const read of reads) {
    stopIfAborted();
    const r = await measure({ url, database, workspaceId, auth, opts, read });
    log(`${r.name}: p95 ${fmt(r.http.p95Ms, 1)} ms (floor ${fmt(r.floor.p95Ms, 2)} ms)`);
    results.push(r);
    for (const p of r.problems) {
      problems.push(p);
      log(`ERROR ${p}`);
    }
  }
  if (!server.alive()) throw new Error(`the server exited during the reads:\n${server.output()}`);
  await server.stop();

  print({ opts, counts, results, seeded });
  if (opts.json) {
    const file = writeResults("query", stamp, { options: opts, goals: GOALS, counts, seeded, values: v, results, problems }, postgres);
    log(`results in ${path.relative(ROOT, file)}`);
  }
  if (problems.length) throw new Error(`${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
}

const opts = parseArgs(process.argv.slice(2), OPTIONS, USAGE);
if (opts.reuse && !existsSync(KEPT)) {
  console.error(`--reuse needs a database kept by --keep (${path.relative(ROOT, KEPT)} is missing)`);
  process.exit(2);
}
runBench((session) => main(opts, session), {
  keep: opts.keep,
  reuse: opts.reuse ? JSON.parse(readFileSync(KEPT, "utf8")).database : undefined,
});
