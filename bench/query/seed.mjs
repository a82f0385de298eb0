import { log } from "../lib/common.mjs";
import { dbUrl, query, withClient } from "../lib/db.mjs";

/**
 * One busy workspace seeded by SQL (loading millions of logs over HTTP would take hours): `logs` logs over
 * the last 14 days, in time order as ingest writes them, with the shapes the list's filters and sorts meet
 * in production. Every column the server reads is set as ingest and the worker would set it.
 *
 * - 8 projects of skewed sizes (40 % … 3 %), 5 tasks each (40 names; 5 % of logs without a task).
 * - Logs come in blocks of 22 consecutive ones of one project; 85 % of blocks are two sessions of 2–20 logs
 *   (`sess-<block>a` / `sess-<block>b`), the rest have no session. A block's subject (`cust-<n>`, 20,000
 *   customers, 75 % of blocks) and actor (`agent-<n>`, 40 agents, half the blocks) are shared by its logs.
 * - Timestamps from 14 days ago to now, denser towards now (the age is 14 days × u^1.6 of a uniform u).
 * - 4 models (45/25/20/8 %, 2 % none), latency and cost spread over two orders of magnitude (1 % / 3 % none).
 * - Tags: none 30 %, v1 30 %, v2 20 %, v1+prod 15 %, beta 5 %; metadata on 60 %.
 * - Status: the newest 300 pending (not yet evaluated), then 2 % error, 8 % flagged, the rest pass; half of
 *   the flagged have a human decision (60 % approved).
 * - One log in 20 is a trace with 5 spans (an agent root, then LLM call, tool call, LLM call, tool call), its
 *   rollup columns (span, error, LLM and tool call counts, tokens, cost, start and end) those of its spans;
 *   one trace in 20 of those has a failing tool call.
 *
 * Random draws use `random()` after `setseed`, so a run with the same `--logs` seeds the same rows (ids
 * apart: they are random uuids, as ingest makes them).
 */

export const PROJECTS = [
  { name: "support-replies", share: 400, tasks: ["reply", "refund-check", "escalate", "summarize-ticket", "tone-check"] },
  { name: "sales-emails", share: 200, tasks: ["first-touch", "follow-up", "pricing", "meeting-recap", "objection"] },
  { name: "kb-answers", share: 120, tasks: ["answer", "cite", "rewrite", "faq-match", "fallback"] },
  { name: "triage", share: 90, tasks: ["classify", "route", "priority", "dedupe", "language"] },
  { name: "summaries", share: 70, tasks: ["call-summary", "daily-digest", "thread-summary", "action-items", "notes"] },
  { name: "translations", share: 50, tasks: ["to-de", "to-fr", "to-es", "to-ja", "glossary"] },
  { name: "code-review", share: 40, tasks: ["diff-review", "test-gaps", "naming", "security", "changelog"] },
  { name: "onboarding", share: 30, tasks: ["welcome", "checklist", "nudge", "setup-help", "survey"] },
];

export const MODELS = ["gpt-4o-mini", "gpt-4o", "claude-haiku-4-5", "claude-sonnet-4-5"];
export const PENDING_LOGS = 300;
const CHUNK = 1_000_000;
/** A statement of the seed may run for long (pg's own timeout per statement). */
const LONG_MS = 3_600_000;

/**
 * Drops the secondary indexes of logs and spans (not those behind a constraint: primary keys, unique) and
 * returns their definitions: building each once over the loaded rows is many times faster than keeping
 * twenty indexes up to date through millions of inserts, and ends with the same indexes. `settings`: the
 * statistics targets the migrations set on index columns, which a definition does not carry.
 */
async function dropIndexes(c) {
  const { rows } = await c.query(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS indexdef,
       (SELECT string_agg(format('ALTER INDEX %s ALTER COLUMN %s SET STATISTICS %s', i.indexrelid::regclass, a.attnum, a.attstattarget), '; ')
        FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget > 0) AS settings
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relname IN ('logs', 'spans') AND t.relnamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
  );
  for (const { name } of rows) await c.query(`DROP INDEX ${name}`);
  return rows;
}
const SPANS = 5;

/** Projects' cumulative shares (per mille) as a CASE over `h` (0–999): the project's 1-based index. */
const projectIndex = (h) => {
  let acc = 0;
  const arms = PROJECTS.map((p, i) => {
    acc += p.share;
    return `WHEN ${h} < ${acc} THEN ${i + 1}`;
  });
  return `CASE ${arms.join(" ")} END`;
};

/**
 * One chunk [$3, $4) of the N ($5) logs: the rows, then the spans of the traces among them, in one
 * statement. $1 workspace, $2 project ids (in PROJECTS order), $6 the 40 task names, $7 "now".
 */
const INSERT_CHUNK = `
WITH draw AS (
  SELECT i, i / 22 AS b, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
    random() AS r7, random() AS r8
  FROM generate_series($3::bigint, $4::bigint - 1) AS i
), drawn AS (
  SELECT d.*, pb.h, sb.h2, ${projectIndex("pb.h % 1000")} AS p,
    $7::timestamptz - 14 * power(1 - d.i::float8 / $5, 1.6) * interval '1 day' AS at,
    CASE WHEN d.i >= $5 - ${PENDING_LOGS} THEN 'pending' WHEN d.r1 < 0.02 THEN 'error' WHEN d.r1 < 0.10 THEN 'flagged' ELSE 'pass' END AS status,
    CASE WHEN d.r4 < 0.02 THEN NULL WHEN d.r4 < 0.47 THEN 1 WHEN d.r4 < 0.72 THEN 2 WHEN d.r4 < 0.92 THEN 3 ELSE 4 END AS m,
    d.i % 20 = 0 AS traced, d.i % 400 = 0 AS failed
  FROM draw d
    CROSS JOIN LATERAL (SELECT abs(hashint8(d.b)) AS h) pb
    CROSS JOIN LATERAL (SELECT abs(hashint8(d.b + 1000000007)) AS h2) sb
), logs_in AS (
  INSERT INTO logs (id, workspace_id, project_id, task_name, timestamp, created_at, updated_at, session_id, subject_id, actor_id,
    model, latency_ms, cost_usd, input, input_text, output, metadata, tags, status, verdict, confidence_score, explanation,
    evaluated_at, eval_attempts, human_decision, decided_at, decided_by, decision_source, trace_name, trace_status, span_count,
    error_count, llm_call_count, tool_call_count, total_input_tokens, total_output_tokens, total_cost_usd, started_at, ended_at)
  SELECT gen_random_uuid()::text, $1::uuid, ($2::uuid[])[r.p],
    CASE WHEN r.r2 < 0.05 THEN NULL ELSE ($6::text[])[(r.p - 1) * 5 + 1 + floor(5 * power(r.r3, 1.5))::int] END,
    r.at, r.at, r.at,
    CASE WHEN r.h2 % 100 < 15 THEN NULL WHEN r.i % 22 < 2 + r.h2 % 19 THEN 'sess-' || r.b || 'a' ELSE 'sess-' || r.b || 'b' END,
    CASE WHEN (r.h / 1000) % 100 < 75 THEN 'cust-' || (r.h / 100000) % 20000 END,
    CASE WHEN (r.h2 / 100) % 2 = 0 THEN 'agent-' || (r.h2 / 1000) % 40 END,
    ($8::text[])[r.m],
    CASE WHEN r.r5 < 0.01 THEN NULL ELSE round((250 + 9000 * power(r.r5, 3))::numeric, 1)::float8 END,
    CASE WHEN r.r6 < 0.03 OR r.m IS NULL THEN NULL ELSE round(((0.0002 + 0.004 * power(r.r6, 2)) * (ARRAY[1, 8, 2, 12])[r.m])::numeric, 6)::float8 END,
    to_jsonb('Customer asks about order ' || r.i || ': where is it, and can the delivery address still change?'),
    'Customer asks about order ' || r.i || ': where is it, and can the delivery address still change?',
    (ARRAY['Thanks for reaching out! Your order ', 'Hi there, I checked order ', 'Good news: order ', 'Sorry for the wait. Order '])[1 + r.i % 4]
      || r.i || ' left our warehouse this morning and should arrive within two business days. You can still change the delivery '
      || 'address from the tracking page until it is out for delivery. Let me know if anything else comes up.',
    CASE WHEN r.r8 < 0.6 THEN jsonb_build_object('workflow', (ARRAY['n8n', 'zapier', 'make'])[1 + r.i % 3], 'step', r.i % 7,
      'region', (ARRAY['eu', 'us', 'apac'])[1 + (r.h / 7) % 3]) END,
    CASE WHEN r.r7 < 0.30 THEN ARRAY[]::text[] WHEN r.r7 < 0.60 THEN ARRAY['v1'] WHEN r.r7 < 0.80 THEN ARRAY['v2']
      WHEN r.r7 < 0.95 THEN ARRAY['v1', 'prod'] ELSE ARRAY['beta'] END,
    r.status::log_status,
    CASE WHEN r.status = 'pending' THEN NULL ELSE r.status::log_status END,
    CASE WHEN r.status = 'pending' THEN NULL WHEN r.status = 'pass' THEN 0.9 ELSE 0.35 END,
    CASE r.status WHEN 'flagged' THEN 'Output contains a forbidden keyword: "refund"' WHEN 'error' THEN 'Judge timed out after 30 s' END,
    CASE WHEN r.status <> 'pending' THEN r.at + interval '2 seconds' END,
    CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END,
    CASE WHEN r.status = 'flagged' AND r.r2 >= 0.5 THEN (CASE WHEN r.r3 < 0.6 THEN 'approved' ELSE 'rejected' END)::human_decision END,
    CASE WHEN r.status = 'flagged' AND r.r2 >= 0.5 THEN r.at + interval '1 hour' END,
    CASE WHEN r.status = 'flagged' AND r.r2 >= 0.5 THEN 'reviewer-' || r.i % 3 || '@example.com' END,
    CASE WHEN r.status = 'flagged' AND r.r2 >= 0.5 THEN 'dashboard' END,
    CASE WHEN r.traced THEN 'agent-turn' END,
    CASE WHEN r.traced AND r.failed THEN 'error' ELSE 'ok' END,
    CASE WHEN r.traced THEN ${SPANS} ELSE 0 END,
    CASE WHEN r.traced AND r.failed THEN 1 ELSE 0 END,
    CASE WHEN r.traced THEN 2 ELSE 0 END,
    CASE WHEN r.traced THEN 2 ELSE 0 END,
    CASE WHEN r.traced THEN 2 * (400 + r.i % 100) ELSE 0 END,
    CASE WHEN r.traced THEN 2 * (60 + r.i % 20) ELSE 0 END,
    CASE WHEN r.traced THEN 2 * round((0.002 + (r.i % 50) * 0.0004)::numeric, 5)::float8 ELSE 0 END,
    r.at,
    CASE WHEN r.traced THEN r.at + ${SPANS - 1} * interval '40 milliseconds' END
  FROM drawn r
  RETURNING id, workspace_id, model, started_at, span_count, error_count, substring(input_text FROM 'order ([0-9]+)')::bigint AS n
)
INSERT INTO spans (id, trace_id, workspace_id, parent_span_id, kind, name, status, started_at, ended_at, provider, model,
  input_tokens, output_tokens, cost_usd, input, output, error, attributes, dotted_order, event_type, decision_kind)
SELECT 's' || k, l.id, l.workspace_id, CASE WHEN k = 0 THEN NULL ELSE 's0' END,
  c.kind, c.name, c.status, c.started, c.started + CASE WHEN k = 0 THEN ${SPANS - 1} ELSE 1 END * interval '40 milliseconds',
  CASE WHEN c.kind = 'llm' THEN 'openai' END, CASE WHEN c.kind = 'llm' THEN coalesce(l.model, 'gpt-4o-mini') END,
  CASE WHEN c.kind = 'llm' THEN 400 + l.n % 100 END, CASE WHEN c.kind = 'llm' THEN 60 + l.n % 20 END,
  CASE WHEN c.kind = 'llm' THEN round((0.002 + (l.n % 50) * 0.0004)::numeric, 5)::float8 END,
  jsonb_build_object('q', 'order ' || l.n), jsonb_build_object('text', 'result ' || l.n),
  CASE WHEN c.status = 'error' THEN jsonb_build_object('message', 'timeout after 3000 ms') END,
  jsonb_build_object('step', k, 'region', (ARRAY['eu', 'us'])[1 + l.n % 2]),
  CASE WHEN k = 0 THEN r.segment ELSE r.segment || '.' || (extract(epoch FROM c.started) * 1000)::bigint || '-s' || k END,
  CASE WHEN c.status = 'error' THEN 'error' WHEN c.kind = 'llm' THEN 'llm_call' WHEN c.kind = 'tool' THEN 'tool_call' ELSE 'response' END,
  NULL
FROM logs_in l
  CROSS JOIN generate_series(0, ${SPANS - 1}) AS k
  CROSS JOIN LATERAL (SELECT (extract(epoch FROM l.started_at) * 1000)::bigint || '-s0' AS segment) r
  CROSS JOIN LATERAL (SELECT
    CASE WHEN k = 0 THEN 'agent' WHEN k % 2 = 1 THEN 'llm' ELSE 'tool' END AS kind,
    CASE WHEN k = 0 THEN 'agent-turn' WHEN k % 2 = 1 THEN 'chat ' || coalesce(l.model, 'gpt-4o-mini') ELSE 'lookup_order' END AS name,
    CASE WHEN k = 2 AND l.error_count > 0 THEN 'error' ELSE 'ok' END AS status,
    l.started_at + greatest(k - 1, 0) * interval '40 milliseconds' AS started) c
WHERE l.span_count > 0`;

/**
 * Seeds `logs` logs into the workspace (the server's bootstrapped one): projects and tasks first, then the
 * logs (with the spans of their traces) in chunks of 1M so memory and WAL stay bounded, with the secondary
 * indexes of logs and spans built again afterwards, then VACUUM ANALYZE. `triggersOff`: the logs and spans
 * go in without firing triggers (the caller rebuilds what they maintain). Returns the projects' ids by name
 * and the times taken.
 */
export async function seedWorkspace(database, { workspaceId, logs, triggersOff = false }) {
  const t0 = performance.now();
  const projects = await query(
    database,
    `INSERT INTO projects (id, workspace_id, name) SELECT gen_random_uuid(), $1::uuid, name FROM unnest($2::text[]) AS name RETURNING id, name`,
    [workspaceId, PROJECTS.map((p) => p.name)],
  );
  const projectIds = PROJECTS.map((p) => projects.find((r) => r.name === p.name).id);
  const taskNames = PROJECTS.flatMap((p) => p.tasks);
  await query(
    database,
    `INSERT INTO tasks (id, workspace_id, project_id, name)
     SELECT gen_random_uuid(), $1::uuid, ($2::uuid[])[(k - 1) / 5 + 1], ($3::text[])[k] FROM generate_series(1, $4) AS k`,
    [workspaceId, projectIds, taskNames, taskNames.length],
  );
  const now = new Date().toISOString();
  const timing = await withClient(async (c) => {
    await c.query("SET statement_timeout = 0");
    await c.query("SET maintenance_work_mem = '512MB'");
    // With a rollup rebuild to follow, row triggers would only slow the load: replica mode skips them.
    if (triggersOff) await c.query("SET session_replication_role = replica");
    const indexes = await dropIndexes(c);
    await c.query("SELECT setseed(0.17)");
    const t = performance.now();
    for (let lo = 0; lo < logs; lo += CHUNK) {
      const hi = Math.min(logs, lo + CHUNK);
      const tc = performance.now();
      // withClient's query_timeout (2 min) is per statement; a chunk may take longer on a busy machine.
      await c.query({
        text: INSERT_CHUNK,
        values: [workspaceId, projectIds, lo, hi, logs, taskNames, now, MODELS],
        query_timeout: LONG_MS,
      });
      log(`seeded logs ${lo.toLocaleString("en")}–${hi.toLocaleString("en")} in ${((performance.now() - tc) / 1000).toFixed(1)} s`);
    }
    const insertSeconds = (performance.now() - t) / 1000;
    const ti = performance.now();
    for (const { indexdef, settings } of indexes) {
      await c.query({ text: indexdef, query_timeout: LONG_MS });
      if (settings) await c.query(settings);
    }
    const indexSeconds = (performance.now() - ti) / 1000;
    log(`rebuilt ${indexes.length} indexes of logs and spans in ${indexSeconds.toFixed(1)} s`);
    for (const table of ["logs", "spans", "projects", "tasks"])
      await c.query({ text: `VACUUM (ANALYZE) ${table}`, query_timeout: LONG_MS });
    return { insertSeconds, indexSeconds };
  }, dbUrl(database));
  const seconds = (performance.now() - t0) / 1000;
  log(
    `seeded in ${seconds.toFixed(1)} s (inserts ${timing.insertSeconds.toFixed(1)} s, indexes ${timing.indexSeconds.toFixed(1)} s, the rest vacuum)`,
  );
  return { projects: Object.fromEntries(projects.map((p) => [p.name, p.id])), seconds, ...timing, now };
}

/** What was seeded, in a few shares (printed with the results, so a run shows the data it measured). */
export async function describeSeed(database, workspaceId) {
  const [row] = await query(
    database,
    `SELECT count(*)::int AS logs,
       round(100.0 * count(*) FILTER (WHERE status = 'flagged') / count(*), 1)::float8 AS flagged_pct,
       round(100.0 * count(*) FILTER (WHERE status = 'error') / count(*), 1)::float8 AS error_pct,
       (count(*) FILTER (WHERE status = 'pending'))::int AS pending,
       (count(*) FILTER (WHERE human_decision IS NOT NULL))::int AS decided,
       (count(*) FILTER (WHERE human_decision IS NULL AND status IN ('flagged', 'error')))::int AS awaiting_review,
       round(100.0 * count(*) FILTER (WHERE session_id IS NOT NULL) / count(*), 1)::float8 AS in_session_pct,
       count(DISTINCT session_id)::int AS sessions,
       (count(*) FILTER (WHERE span_count > 0))::int AS traces,
       round(100.0 * count(*) FILTER (WHERE cardinality(tags) = 0) / count(*), 1)::float8 AS untagged_pct,
       min(timestamp) AS oldest, max(timestamp) AS newest
     FROM logs WHERE workspace_id = $1::uuid`,
    [workspaceId],
  );
  const projects = await query(
    database,
    `SELECT p.name, count(*)::int AS logs FROM logs l JOIN projects p ON p.id = l.project_id WHERE l.workspace_id = $1::uuid
     GROUP BY p.name ORDER BY 2 DESC`,
    [workspaceId],
  );
  return { ...row, projects: Object.fromEntries(projects.map((p) => [p.name, p.logs])) };
}
