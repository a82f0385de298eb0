import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { log, sleep } from "../lib/common.mjs";
import { dbUrl, query, timedSql } from "../lib/db.mjs";
import { latencySummary, requestJson, timedRequests } from "../lib/http-load.mjs";
import { stopIfAborted } from "../lib/procs.mjs";
import { seedProject, settleSeeded } from "./seed.mjs";

/**
 * The read side of traces at scale: trace search with typed filters over a project of ≥ 1M spans, the
 * metrics of a 200-event session, and the CSV export of 100k events — each beside what Postgres alone does
 * for the same rows in the same run.
 */

export const QUERY_GOALS = { searchP95Ms: 100, sessionMetricsP95Ms: 50, exportPeakMb: 100 };

const SEARCH_PROJECT = "search-bench";
const SESSION_PROJECT = "session-bench";
const EXPORT_PROJECT = "export-bench";
const SESSION_ID = "bench-session-0";

/** The three typed filters of the search (with the project, every flat parameter left out). */
export const SEARCH_FILTERS = [
  { column: "tags", operator: "contains", value: "prod" },
  { column: "cost", operator: "gt", value: 0.01 },
  { column: "metadata.tier", operator: "equals", value: "gold" },
];

/**
 * What Postgres alone does for one page of that search: the same rows by hand-written SQL (newest 50 of the
 * project whose tags hold `prod`, cost above 0.01 and metadata tier gold), and the bare index lookup of the
 * project's first page (the physical floor).
 */
const SEARCH_BY_HAND = `SELECT l.id FROM logs l
  WHERE l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.tags @> ARRAY['prod'] AND l.total_cost_usd > 0.01
    AND l.metadata->>'tier' = 'gold'
  ORDER BY l.started_at DESC, l.id DESC LIMIT 51`;
const FIRST_PAGE = `SELECT l.id FROM logs l WHERE l.workspace_id = $1::uuid AND l.project_id = $2::uuid ORDER BY l.started_at DESC, l.id DESC LIMIT 51`;
/** The session's events as one read (the floor under its metrics). */
const SESSION_EVENTS = `SELECT s.* FROM logs l JOIN spans s ON s.trace_id = l.id
  WHERE l.workspace_id = $1::uuid AND l.project_id = $2::uuid AND l.session_id = $3 ORDER BY l.started_at, s.dotted_order`;
/** Every event of the export project as CSV, produced by Postgres itself (COPY), for rows/s. */
const EXPORT_COPY = (projectId) =>
  `COPY (SELECT l.session_id, l.id, s.id, s.parent_span_id, s.event_type, s.decision_kind, s.kind, s.name, s.status, s.started_at,
     s.ended_at, s.model, s.input_tokens, s.output_tokens, s.cost_usd, s.input, s.output, s.error
   FROM logs l JOIN spans s ON s.trace_id = l.id WHERE l.project_id = '${projectId}' ORDER BY l.session_id, l.started_at, s.dotted_order)
   TO STDOUT WITH (FORMAT csv, HEADER)`;

/** Seeds the three projects into the first workspace; returns their ids. */
export async function seedQueryProjects(database, opts) {
  const [{ id: workspaceId }] = await query(database, "SELECT id FROM workspaces ORDER BY created_at LIMIT 1");
  const t0 = performance.now();
  const search = await seedProject(database, {
    workspaceId,
    name: SEARCH_PROJECT,
    traces: Math.ceil(opts.searchSpans / 10),
    spansPerTrace: 10,
    tracesPerSession: 10,
    spacingMs: 12_000,
    sessionPrefix: "search-session",
  });
  const session = await seedProject(database, {
    workspaceId,
    name: SESSION_PROJECT,
    traces: 10,
    spansPerTrace: 20,
    tracesPerSession: 10,
    spacingMs: 60_000,
    sessionPrefix: "bench-session",
  });
  const exported = await seedProject(database, {
    workspaceId,
    name: EXPORT_PROJECT,
    traces: Math.ceil(opts.exportEvents / 10),
    spansPerTrace: 10,
    tracesPerSession: 10,
    spacingMs: 30_000,
    sessionPrefix: "export-session",
  });
  await settleSeeded(database);
  const [counts] = await query(database, "SELECT (SELECT count(*) FROM logs)::int AS logs, (SELECT count(*) FROM spans)::int AS spans");
  log(`seeded ${counts.logs} traces and ${counts.spans} spans by SQL in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { workspaceId, search, session, exported, counts };
}

const expectOk = (answers, what) => {
  const bad = answers.find((a) => a.status !== 200);
  if (bad) throw new Error(`${what}: ${bad.status} ${bad.body.toString().slice(0, 500)}`);
};

export async function measureSearch({ url, token, database, seeded, opts }) {
  const target = new URL("/api/traces/search", url).toString();
  const body = { projectId: SEARCH_PROJECT, filters: SEARCH_FILTERS, limit: 50 };
  expectOk(await timedRequests(target, token, opts.readWarmup, { method: "POST", body }), "POST /api/traces/search");
  const answers = await timedRequests(target, token, opts.reads, { method: "POST", body });
  expectOk(answers, "POST /api/traces/search");
  const page = JSON.parse(answers[0].body.toString());
  const params = [seeded.workspaceId, seeded.search];
  const byHand = (await timedSql(database, SEARCH_BY_HAND, params, opts.reads)).ms;
  const [expected] = await query(database, `SELECT array_agg(id) AS ids FROM (${SEARCH_BY_HAND}) x`, params);
  const problems = [];
  const ids = page.traces.map((t) => t.id);
  if (JSON.stringify(ids) !== JSON.stringify(expected.ids.slice(0, 50))) {
    problems.push(`search: the server's first page differs from the same search by hand (${ids.length} vs ${expected.ids.length} ids)`);
  }
  return {
    http: latencySummary(answers.map((a) => a.ms)),
    byHand: latencySummary(byHand),
    floor: latencySummary((await timedSql(database, FIRST_PAGE, params, opts.reads)).ms),
    returned: ids.length,
    problems,
  };
}

export async function measureSessionMetrics({ url, token, database, seeded, opts }) {
  const target = new URL(`/api/projects/${SESSION_PROJECT}/sessions/${SESSION_ID}/metrics`, url).toString();
  expectOk(await timedRequests(target, token, opts.readWarmup), "GET …/metrics");
  const answers = await timedRequests(target, token, opts.reads);
  expectOk(answers, "GET …/metrics");
  const events = (await timedSql(database, SESSION_EVENTS, [seeded.workspaceId, seeded.session, SESSION_ID], opts.reads)).ms;
  const [{ n }] = await query(database, `SELECT count(*)::int AS n FROM (${SESSION_EVENTS}) x`, [
    seeded.workspaceId,
    seeded.session,
    SESSION_ID,
  ]);
  return { http: latencySummary(answers.map((a) => a.ms)), events: latencySummary(events), eventCount: n, problems: [] };
}

/** The resident memory of a process (MB), from /proc. */
function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Rows per second Postgres produces the same export at, as CSV through COPY (psql, output discarded). */
function copyBaseline(database, projectId) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const psql = spawn("psql", [dbUrl(database), "-qAt", "-c", EXPORT_COPY(projectId)], { stdio: ["ignore", "pipe", "pipe"] });
    let lines = 0;
    let err = "";
    psql.stdout.on("data", (c) => {
      for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
    });
    psql.stderr.on("data", (c) => (err += c));
    psql.on("error", reject);
    psql.on("close", (code) =>
      code === 0 ? resolve({ seconds: (performance.now() - t0) / 1000, lines }) : reject(new Error(`psql COPY: ${err}`)),
    );
  });
}

/**
 * Streams the export once while sampling the server's resident memory every 20 ms; memory is reported as
 * the peak over the idle server just before (after a GC-settling pause).
 */
export async function measureExport({ url, token, database, seeded, server }) {
  const target = new URL(`/api/projects/${EXPORT_PROJECT}/sessions/export?format=csv`, url).toString();
  await sleep(1_000);
  const idleMb = rssMb(server.pid);
  let peakMb = idleMb;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(server.pid))), 20);
  let bytes = 0;
  let newlines = 0;
  let answer;
  try {
    [answer] = await timedRequests(target, token, 1, {
      onData: (chunk) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
      },
    });
  } finally {
    clearInterval(sampler);
  }
  stopIfAborted();
  if (answer.status !== 200) throw new Error(`GET …/sessions/export: ${answer.status}`);
  const [{ n }] = await query(database, "SELECT count(*)::int AS n FROM spans s JOIN logs l ON l.id = s.trace_id WHERE l.project_id = $1", [
    seeded.exported,
  ]);
  const copy = await copyBaseline(database, seeded.exported);
  const problems = [];
  // One header line and one line per event (the seeded values hold no line breaks).
  if (newlines !== n + 1) problems.push(`export: ${newlines} lines for ${n} events (expected ${n + 1})`);
  return {
    events: n,
    seconds: answer.ms / 1000,
    rowsPerSecond: n / (answer.ms / 1000),
    megabytes: bytes / 1024 / 1024,
    idleMb,
    peakMb,
    overIdleMb: peakMb - idleMb,
    copy: { ...copy, rowsPerSecond: n / copy.seconds },
    problems,
  };
}

export async function measureQueries({ opts, database, token, startServer }) {
  const server = startServer();
  const url = await server.url;
  stopIfAborted();
  const ready = await requestJson(new URL("/api/verify", url), { token });
  if (ready.status !== 200) throw new Error(`GET /api/verify: ${ready.status}`);
  const seeded = await seedQueryProjects(database, opts);
  stopIfAborted();
  const args = { url, token, database, seeded, opts, server };
  const search = await measureSearch(args);
  stopIfAborted();
  const session = await measureSessionMetrics(args);
  stopIfAborted();
  const exported = await measureExport(args);
  if (!server.alive()) throw new Error(`the server exited during the reads:\n${server.output()}`);
  await server.stop();
  return { seeded: seeded.counts, search, session, exported, problems: [...search.problems, ...session.problems, ...exported.problems] };
}
