import { LIST_EXACT_COUNT, ListLogsQuery, ListLogsResponse, LOG_SORT_KEYS, SORT_DIRECTIONS } from "@tracira/shared";
import type { SqlClient } from "../src/db/sql";
import { listContext, listPageSql } from "../src/services/logs/list-sql";
import { LogQueryService } from "../src/services/logs/query";
import { startTestServerOn, type Call, type TestServer } from "./helpers/server";

/**
 * The log list reads indexes, never the whole table: EXPLAIN of the exact statements the service runs on a
 * seeded, ANALYZEd table has no sequential scan of logs. And the cursor walks every sort without a log
 * seen twice or skipped. Speed itself is measured in bench/query, not asserted here.
 */
let server: TestServer;
let sql: SqlClient;
let workspaceId: string;

const SEEDED = 30_000;

/** Seeds `n` logs over 14 days in 8 projects: tasks, sessions, subjects, actors, tags, 4 models, nulls, statuses, decisions. */
async function seed(db: SqlClient, workspace: string, n: number, prefix: string) {
  await db.query(
    `INSERT INTO projects (id, workspace_id, name) SELECT gen_random_uuid(), $1::uuid, $2 || '-project-' || i FROM generate_series(1, 8) i`,
    [workspace, prefix],
  );
  await db.query(
    `INSERT INTO logs (id, workspace_id, project_id, task_name, timestamp, created_at, updated_at, session_id, subject_id, actor_id,
       model, latency_ms, cost_usd, output, tags, status, verdict, human_decision, started_at)
     SELECT $2 || '-' || g, $1::uuid, (SELECT id FROM projects WHERE workspace_id = $1::uuid AND name = $2 || '-project-' || (1 + g % 8)),
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'task-' || g % 40 END,
       ts, ts, ts,
       CASE WHEN g % 5 <> 0 THEN 'sess-' || g / 8 END,
       CASE WHEN g % 3 <> 0 THEN 'cust-' || g % 5000 END,
       CASE WHEN g % 2 = 0 THEN 'user-' || g % 200 END,
       CASE WHEN g % 20 = 0 THEN NULL ELSE (ARRAY['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'llama-3.1-70b'])[1 + g % 4] END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 7919) % 5000 END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE ((g::bigint * 104729) % 50000) / 1e6 END,
       'output ' || g,
       CASE g % 5 WHEN 0 THEN ARRAY[]::text[] WHEN 1 THEN ARRAY['v1'] WHEN 2 THEN ARRAY['v2', 'vip'] ELSE ARRAY['v1', 'beta'] END,
       st::log_status, CASE WHEN st = 'pending' THEN NULL ELSE st::log_status END,
       CASE WHEN st = 'flagged' AND g % 2 = 0 THEN 'approved'::human_decision END,
       ts
     FROM (SELECT g, now() - ((g * 7877) % 1209600) * interval '1 second' AS ts,
             CASE WHEN g % 3001 = 0 THEN 'pending' WHEN g % 12 = 0 THEN 'flagged' WHEN g % 50 = 1 THEN 'error' ELSE 'pass' END AS st
           FROM generate_series(1, $3::int) g) s`,
    [workspace, prefix, n],
  );
}

beforeAll(async () => {
  server = await startTestServerOn("postgres", { TRACIRA_WORKER: "false" });
  sql = server.running.deps.db.sql;
  expect((await server.call("POST", "/api/logs", { project: "first", output: "o" })).status).toBe(200);
  const [first] = await sql.query<{ workspace_id: string }>(`SELECT workspace_id FROM logs LIMIT 1`);
  workspaceId = first!.workspace_id;
  await seed(sql, workspaceId, SEEDED, "seed");
  await sql.exec(`ANALYZE logs; ANALYZE projects`);
}, 180_000);
afterAll(() => server?.close());

const query = (params: Record<string, string>) => ListLogsQuery.parse(params);

/** The plan nodes of an EXPLAIN (FORMAT JSON), flattened. */
function nodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [plan, ...children.flatMap(nodes)];
}

async function plan(params: Record<string, string>) {
  const q = query(params);
  const page = listPageSql(workspaceId, q, await listContext(sql, workspaceId, q));
  const [row] = await sql.query<{ "QUERY PLAN": [{ Plan: Record<string, unknown> }] }>(`EXPLAIN (FORMAT JSON) ${page.text}`, page.params);
  return nodes(row!["QUERY PLAN"][0].Plan);
}

const seqScansOfLogs = (planNodes: Record<string, unknown>[]) =>
  planNodes.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "logs").length;

/** A cursor deep in the walk: after the 2,000th log of that sort. */
async function deepCursor(params: Record<string, string>): Promise<string> {
  const res = await server.call("GET", `/api/logs?${new URLSearchParams({ ...params, page: "40", limit: "50" })}`);
  expect(res.status).toBe(200);
  return ListLogsResponse.parse(res.body).nextCursor!;
}

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
const FILTERS: Record<string, Record<string, string>> = {
  default: {},
  status: { status: "flagged" },
  pending: { pending: "true" },
  "review queue": { pending: "true", sortBy: "timestamp", sortDir: "asc", limit: "100" },
  project: { project: "seed-project-3" },
  task: { task: "task-7" },
  sessionId: { sessionId: "sess-1234" },
  subjectId: { subjectId: "cust-42" },
  actorId: { actorId: "user-42" },
  tags: { tags: "beta" },
  "from/to": { from: day(3), to: day(2) },
  q: { q: "cust-42" },
  "q (a model)": { q: "sonnet" },
  "q (a project)": { q: "project-3" },
  "project+status": { project: "seed-project-3", status: "flagged" },
  "pending+project": { pending: "true", project: "seed-project-3" },
  "q+project": { q: "cust-42", project: "seed-project-3" },
  "tags+from/to": { tags: "beta", from: day(3), to: day(2) },
  "status+costUsd": { status: "flagged", sortBy: "costUsd" },
};

describe("EXPLAIN of the list's page statement: no sequential scan of logs", () => {
  test.each(Object.entries(FILTERS))("%s, page 1", async (_name, params) => {
    expect(seqScansOfLogs(await plan(params))).toBe(0);
  });

  const sorts = LOG_SORT_KEYS.flatMap((sortBy) => SORT_DIRECTIONS.map((sortDir) => ({ sortBy, sortDir })));
  test.each(sorts)(
    "sortBy=$sortBy&sortDir=$sortDir: page 1, a deep page by cursor and by number, and the first two with status=flagged",
    async (sort) => {
      expect(seqScansOfLogs(await plan(sort))).toBe(0);
      expect(seqScansOfLogs(await plan({ ...sort, cursor: await deepCursor(sort) }))).toBe(0);
      expect(seqScansOfLogs(await plan({ ...sort, page: "40" }))).toBe(0);
      const flagged = { ...sort, status: "flagged" };
      expect(seqScansOfLogs(await plan(flagged))).toBe(0);
      expect(seqScansOfLogs(await plan({ ...flagged, cursor: await deepCursor(flagged) }))).toBe(0);
    },
  );

  test("the sorts read an index in their order: no sort over the workspace's logs (at most the few rows of a page's parts)", async () => {
    for (const sortBy of LOG_SORT_KEYS) {
      for (const sortDir of SORT_DIRECTIONS) {
        const sorted = (await plan({ sortBy, sortDir })).filter((n) => n["Node Type"] === "Sort");
        // A sort may only order what the index parts already bounded (a page or two of rows).
        for (const node of sorted) expect(node["Plan Rows"] as number).toBeLessThanOrEqual(51 * 8);
      }
    }
  });
});

describe("EXPLAIN of the trace list's and the trace search's page statements: no sequential scan of logs", () => {
  /** The statements over logs that one API call sends, seen on their way to the database (passed on unchanged). */
  async function statementsOf(call: () => Promise<unknown>) {
    const seen: { text: string; params: unknown[] }[] = [];
    const original = sql.query;
    sql.query = (text, params, name) => {
      if (/FROM logs l\b/.test(text)) seen.push({ text, params: params ?? [] });
      return original(text, params, name);
    };
    try {
      await call();
    } finally {
      sql.query = original;
    }
    expect(seen.length).toBeGreaterThan(0);
    return seen;
  }

  async function expectIndexed(call: () => Promise<{ status: number; body: any }>) {
    let answer: { status: number; body: any } | undefined;
    for (const statement of await statementsOf(async () => (answer = await call()))) {
      const [row] = await sql.query<{ "QUERY PLAN": [{ Plan: Record<string, unknown> }] }>(
        `EXPLAIN (FORMAT JSON) ${statement.text}`,
        statement.params,
      );
      expect(seqScansOfLogs(nodes(row!["QUERY PLAN"][0].Plan))).toBe(0);
    }
    expect(answer!.status).toBe(200);
    return answer!.body;
  }

  test("GET /api/traces: page 1 and the page after its cursor", async () => {
    const first = await expectIndexed(() => server.call("GET", "/api/traces?limit=50"));
    await expectIndexed(() => server.call("GET", `/api/traces?limit=50&cursor=${encodeURIComponent(first.nextCursor)}`));
  });

  test("POST /api/traces/search: a project with two filters, page 1 and the page after its cursor", async () => {
    const [project] = await sql.query<{ id: string }>(`SELECT id FROM projects WHERE workspace_id = $1::uuid AND name = 'seed-project-3'`, [
      workspaceId,
    ]);
    const body = {
      projectId: project!.id,
      filters: [
        { column: "tags", operator: "contains", value: "beta" },
        { column: "startedAt", operator: "gte", value: Date.now() - 7 * 86_400_000 },
      ],
      limit: 50,
    };
    const first = await expectIndexed(() => server.call("POST", "/api/traces/search", body));
    await expectIndexed(() => server.call("POST", "/api/traces/search", { ...body, cursor: first.pagination.nextCursor }));
  });
});

describe.each(["postgres", "pglite"] as const)("the cursor on %s", (backend) => {
  let walks: TestServer;
  let call: Call;
  let wsql: SqlClient;

  beforeAll(async () => {
    // A server of its own, with ties (the same timestamp, the same values) and nulls in every nullable sort.
    walks = await startTestServerOn(backend, { TRACIRA_WORKER: "false" });
    call = walks.call;
    wsql = walks.running.deps.db.sql;
    expect((await call("POST", "/api/logs", { project: "walks-first", output: "o" })).status).toBe(200);
    const [row] = await wsql.query<{ workspace_id: string }>(`SELECT workspace_id FROM logs LIMIT 1`);
    await seed(wsql, row!.workspace_id, 120, "walk");
    await wsql.query(`UPDATE logs SET timestamp = date_trunc('day', timestamp) WHERE id LIKE 'walk-%'`);
    // The longest values a cursor carries: a 200-character project name and model, with quotes, emoji and backslashes.
    const long = (c: string) => c.repeat(200 / [...c].length);
    expect((await call("POST", "/api/logs", { project: long('"é\\😀\'"'), model: long("\u0001«»ü"), output: "o" })).status).toBe(200);
    expect(await all("")).toHaveLength(122);
  }, 120_000);
  afterAll(() => walks?.close());

  const page = async (params: string) => {
    const res = await call("GET", `/api/logs?${params}`);
    expect(res.status).toBe(200);
    return ListLogsResponse.parse(res.body);
  };
  const all = async (params: string) =>
    (await page(`${params}&limit=100&page=1`)).executions.concat((await page(`${params}&limit=100&page=2`)).executions);

  /** Every page through nextCursor, `limit` at a time; `during` runs after each page. */
  async function walk(params: string, limit: number, during?: () => Promise<void>) {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const answer: ListLogsResponse = await page(`${params}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      ids.push(...answer.executions.map((l) => l.id));
      cursor = answer.nextCursor;
      if (!cursor) return ids;
      await during?.();
    }
    throw new Error("the walk did not end");
  }

  const sorts = LOG_SORT_KEYS.flatMap((sortBy) => SORT_DIRECTIONS.map((sortDir) => ({ sortBy, sortDir })));
  test.each(sorts)(
    "sortBy=$sortBy&sortDir=$sortDir visits every log once, in the order of page after page",
    async ({ sortBy, sortDir }) => {
      const params = `sortBy=${sortBy}&sortDir=${sortDir}`;
      const expected = (await all(params)).map((l) => l.id);
      expect(await walk(params, 7)).toEqual(expected);
      expect(await walk(`${params}&status=pass`, 9)).toEqual((await all(`${params}&status=pass`)).map((l) => l.id));
      // Page numbers past the first read the skipped rows by their keys only: the same pages.
      const numbered: string[] = [];
      for (let n = 1; numbered.length < expected.length; n++)
        numbered.push(...(await page(`${params}&limit=7&page=${n}`)).executions.map((l) => l.id));
      expect(numbered).toEqual(expected);
    },
  );

  test.each(sorts)(
    "sortBy=$sortBy&sortDir=$sortDir: logs arriving during the walk never make one seen twice or skipped",
    async ({ sortBy, sortDir }) => {
      const params = `sortBy=${sortBy}&sortDir=${sortDir}`;
      const before = (await all(params)).map((l) => l.id);
      let n = 0;
      const seen = await walk(params, 11, async () => {
        const model = ["a-model", "zz-model", undefined][n % 3];
        const res = await call("POST", "/api/logs", {
          project: "walks-first",
          output: "o",
          model,
          latencyMs: n * 997,
          costUsd: n % 2 ? 0.5 : undefined,
        });
        expect(res.status).toBe(200);
        n += 1;
      });
      expect(new Set(seen).size).toBe(seen.length);
      expect(before.filter((id) => !seen.includes(id))).toEqual([]);
      await wsql.query(
        `DELETE FROM logs WHERE project_id IN (SELECT id FROM projects WHERE name = 'walks-first') AND id <> ALL($1::text[])`,
        [before],
      );
    },
  );

  test("nextCursor is null on the last page; a page number still works beside it", async () => {
    const last = await page(`limit=100&page=2`);
    expect(last.nextCursor).toBeNull();
    const first = await page(`limit=100`);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.totalExact).toBe(true);
  });

  test("a cursor that is garbage, of another sort, or with a page number is a 400 naming it", async () => {
    const cursor = (await page(`limit=5&sortBy=latencyMs&sortDir=asc`)).nextCursor!;
    const bad = async (params: string, field: string) => {
      const res = await call("GET", `/api/logs?${params}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "invalid_request", fields: { [field]: expect.any(String) } });
    };
    await bad(`cursor=${cursor}&sortBy=latencyMs&sortDir=desc`, "cursor");
    await bad(`cursor=${cursor}`, "cursor");
    await bad(`cursor=${cursor}&sortBy=latencyMs&sortDir=asc&page=2`, "page");
    for (const garbage of [
      "x",
      "!!!",
      Buffer.from("[1,2,3]").toString("base64url"),
      Buffer.from('["timestamp","desc",null,"soon","id"]').toString("base64url"),
      Buffer.from('["status","desc","nope",0,"id"]').toString("base64url"),
      "a".repeat(3000),
    ]) {
      await bad(`cursor=${encodeURIComponent(garbage)}`, "cursor");
    }
  });
});

test("more matches than are counted: totalExact is false and total a lower bound; narrower filters stay exact", async () => {
  const broad = ListLogsResponse.parse((await server.call("GET", `/api/logs?tags=v1`)).body);
  expect(broad.totalExact).toBe(false);
  expect(broad.total).toBe(LIST_EXACT_COUNT);
  const narrow = ListLogsResponse.parse((await server.call("GET", `/api/logs?q=cust-42&project=seed-project-3`)).body);
  expect(narrow.totalExact).toBe(true);
  const [row] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM logs l JOIN projects p ON p.id = l.project_id WHERE l.workspace_id = $1::uuid AND p.name = 'seed-project-3'
       AND (l.subject_id ILIKE '%cust-42%' OR l.session_id ILIKE '%cust-42%' OR l.actor_id ILIKE '%cust-42%')`,
    [workspaceId],
  );
  expect(narrow.total).toBe(row!.n);
  const rollups = ListLogsResponse.parse((await server.call("GET", `/api/logs?status=pass`)).body);
  expect(rollups.totalExact).toBe(true);
});

test("a count that runs out of its time budget answers from the page: totalExact false, total the logs so far, summary of the page", async () => {
  const { prisma } = server.running.deps.db;
  // "t-4" has no three letters or digits in a row: its count reads logs one by one, far longer than 1 ms.
  const params = { q: "t-4", limit: "20" };
  const hurried = new LogQueryService(prisma, sql, 1);
  const patient = new LogQueryService(prisma, sql, 60_000);
  for (const page of [1, 2]) {
    const q = query({ ...params, page: String(page) });
    const [quick, full] = await Promise.all([hurried.list(workspaceId, q), patient.list(workspaceId, q)]);
    expect(quick.executions.map((e) => e.id)).toEqual(full.executions.map((e) => e.id));
    expect(full.totalExact).toBe(false);
    expect(full.total).toBe(LIST_EXACT_COUNT);
    expect(quick.totalExact).toBe(false);
    expect(quick.total).toBe(page * 20);
    const flagged = quick.executions.filter((e) => e.status === "flagged" || e.status === "error").length;
    expect(quick.summary.totalRuns).toBe(20);
    expect(quick.summary.failuresDetected).toBe(flagged);
  }
  // The last page: nothing follows, so the count from the pages is exact.
  const narrow = query({ q: "t-4", project: "seed-project-3", subjectId: "cust-4", limit: "100" });
  const last = await hurried.list(workspaceId, narrow);
  expect(last.nextCursor).toBeNull();
  expect(last.totalExact).toBe(true);
  expect(last.total).toBe(last.executions.length);
});
