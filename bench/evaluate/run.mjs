#!/usr/bin/env node
/**
 * Evaluation benchmark: how fast do pending logs get their verdict, and what does `sync: true` cost?
 *
 *   npm run bench:evaluate -- [--logs 20000] [--concurrency 64] [--clients 16] [--seconds 10] [--warmup 2]
 *                             [--json] [--cpu-prof] [--server main.js] [--worker worker-main.js] [--pgbench-mode extended]
 *
 * One run, on a fresh database (dropped at the end, also on failure or Ctrl-C; 127.0.0.1 only):
 *
 * 1. Throughput. The server (its worker off) creates five non-LLM rules and stores one log through the API;
 *    that row is copied into `--logs` pending logs with SQL (same columns and values, new ids). Then
 *    `worker-main.js` is started and timed from its start until no log is pending (polled every 50 ms),
 *    with the time to its first claim. Every log must end `pass` with five applied rules. The same again
 *    with the rules switched off (what the rules cost).
 * 2. Baseline for 1: pgbench, on a fresh set of as many pending logs, runs the worker's statements per batch
 *    (claim, active rules, finalize with the values the worker wrote) with as many connections as the worker
 *    has batches in flight, timed the same way. Ratio = worker logs/s ÷ pgbench logs/s.
 * 3. Latency. The server with its worker on; `--clients` keep-alive clients send async logs, then sync logs
 *    (the five rules evaluated inline), then async again; each for `--seconds` after a warm-up of both, with
 *    the worker's backlog drained between phases. Ratios sync/async of p50 and p99.
 *
 * Goals (issue): worker ≥ 2,000 logs/s; sync p99 ≤ 25 ms. A missed goal is reported, not an error; the exit
 * code is non-zero only for errors (non-200 or unexpected answers, logs not ending `pass`).
 *
 * --cpu-prof writes V8 profiles of the worker (run 1) and the server (run 3) to bench/results/profile-<time>/.
 * Env: BENCH_PG_URL, PGBENCH, DATABASE_POOL_SIZE (passed on), as for bench:ingest.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "../lib/args.mjs";
import { fmt, formatCores, log, RESULTS_DIR, ROOT, sleep, writeResults } from "../lib/common.mjs";
import { cpuSnapshot, coresUsed } from "../lib/cpu.mjs";
import { commits, dbUrl, query, settle, withClient } from "../lib/db.mjs";
import { drive, requestJson } from "../lib/http-load.mjs";
import { oneLine, pgbench } from "../lib/pgbench.mjs";
import { stopIfAborted } from "../lib/procs.mjs";
import { runBench } from "../lib/session.mjs";
import { DEFAULT_SERVER, DEFAULT_WORKER, startServer, startWorker } from "../lib/tracira.mjs";

// The outbox's settings read and the evaluation rows' column list, from the build, so the baseline runs
// exactly what the worker runs.
const require = createRequire(import.meta.url);
const { NOTIFY_SETTINGS } = require("../../backend/dist/deliveries/outbox.js");
const { EVALUATION_RECORDSET } = require("../../backend/dist/projections/rule-evaluations.js");

const USAGE = `
usage: node bench/evaluate/run.mjs [options]     (npm run bench:evaluate -- [options]; build first)

  --logs N           pending logs per throughput run (default 20000)
  --concurrency N    TRACIRA_WORKER_CONCURRENCY of the worker and the server (default 64, the server's default)
  --clients N        keep-alive HTTP clients for the latency runs (default 16)
  --seconds S        length of each latency run (default 10)
  --warmup S         warm-up before the latency runs, async then sync, S each (default 2)
  --pgbench-mode M   query protocol of the baseline: extended (default) or prepared
  --json             write bench/results/evaluate-<time>.json
  --cpu-prof         write V8 CPU profiles of the worker and the server to bench/results/profile-<time>/
  --server PATH      server entry (default backend/dist/main.js)
  --worker PATH      worker entry (default backend/dist/worker-main.js)

Needs Postgres at 127.0.0.1:5432 (user postgres, trust; BENCH_PG_URL overrides) and pgbench.
`;
const OPTIONS = {
  logs: { kind: "number", default: 20_000, min: 1 },
  concurrency: { kind: "number", default: 64, min: 1 },
  clients: { kind: "number", default: 16, min: 1 },
  seconds: { kind: "number", default: 10, min: 1 },
  warmup: { kind: "number", default: 2 },
  pgbenchMode: { kind: "string", default: "extended", choices: ["extended", "prepared"] },
  json: { kind: "flag" },
  cpuProf: { kind: "flag" },
  server: { kind: "path", default: DEFAULT_SERVER },
  worker: { kind: "path", default: DEFAULT_WORKER },
};

const GOALS = { workerLogsPerSecond: 2_000, syncP99Ms: 25 };
const POLL_MS = 50;

// ---------- what is evaluated ----------

/** Five rules without an LLM; the log below passes every one, and each really runs (no shortcut on a miss). */
const RULES = [
  { name: "Says thanks", type: "keyword_required", value: "thanks" },
  { name: "No promises or legal talk", type: "keyword_forbidden", value: "guarantee, lawsuit" },
  { name: "Names the order", type: "regex_match", value: "/order #\\d+/i" },
  { name: "Not too long", type: "length_limit", value: "2000" },
  { name: "Has a reply text", type: "json_field", value: "reply.text" },
];

const OUTPUT = JSON.stringify({
  reply: {
    text:
      "Thanks for reaching out! I have checked your order #48213 and it shipped this morning from our Rotterdam " +
      "warehouse. You should receive a tracking e-mail within the next hour; delivery is expected on Thursday.",
  },
  intent: "order_status",
  escalate: false,
});
const LOG = {
  project: "bench",
  task: "support-reply",
  output: OUTPUT,
  confidence: 0.9,
  model: "gpt-4o",
  latencyMs: 123,
  costUsd: 0.001,
  tags: ["a", "b"],
};

/**
 * How the worker reaches the database (evaluation/index.ts and worker.ts): one loop claims at most
 * min(100, ceil(concurrency / 2)) logs per statement, and claims again when that many are free, so at most
 * ceil(concurrency / batch) claimed batches are in flight; each is then evaluated and finalized.
 */
function workerShape(concurrency) {
  const batch = Math.max(1, Math.min(100, Math.ceil(concurrency / 2)));
  return { batch, inFlight: Math.ceil(concurrency / batch) };
}

// ---------- setup ----------

async function createRules(url, token) {
  for (const rule of RULES) {
    const res = await requestJson(new URL("/api/rules", url), { method: "POST", token, body: rule });
    if (res.status !== 201) throw new Error(`POST /api/rules ${rule.type}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** One async log through the API; returns its stored row as JSON (every column, as the server wrote it). */
async function seedRow(url, token, database) {
  const res = await requestJson(new URL("/api/logs", url), { method: "POST", token, body: LOG });
  if (res.status !== 200 || res.body?.status !== "pending") throw new Error(`POST /api/logs: ${res.status} ${JSON.stringify(res.body)}`);
  const [row] = await query(database, "SELECT to_jsonb(l) AS row FROM logs l WHERE id = $1", [res.body.id]);
  return row.row;
}

const setRulesActive = (database, active) => query(database, "UPDATE rules SET is_active = $1", [active]);

/**
 * Empties `logs`, then stores `count` copies of the seed row as pending logs: same columns and values as
 * the API wrote, with a new id and the insert time (the server's `now()`) per row. Settled afterwards.
 */
async function loadPending(database, seed, count) {
  await query(database, "TRUNCATE logs CASCADE");
  if (count > 0) {
    await query(
      database,
      `INSERT INTO logs
       SELECT r.* FROM (
         SELECT $1::jsonb || jsonb_build_object('id', gen_random_uuid()::text, 'timestamp', clock_timestamp(),
           'created_at', clock_timestamp(), 'updated_at', clock_timestamp()) AS j
         FROM generate_series(1, $2)
       ) AS copies, LATERAL jsonb_populate_record(NULL::logs, copies.j) AS r`,
      [seed, count],
    );
  }
  await settle(database);
}

/**
 * Every log ended `pass` with `rules` applied rules (its rule evaluation rows, as APPLIED_RULES_SQL reads
 * them back), and there are `count` of them (when given).
 */
async function checkAllPass(database, { rules, count }) {
  const groups = await query(
    database,
    `SELECT l.status::text AS status, coalesce(e.n, 0) AS rules, count(*)::int AS n
     FROM logs l LEFT JOIN (
       SELECT trace_id, count(*)::int AS n FROM evaluations
       WHERE span_id IS NULL AND evaluator ~ '^(rule|llm_judge)\\.' GROUP BY trace_id
     ) e ON e.trace_id = l.id
     GROUP BY 1, 2 ORDER BY 3 DESC`,
  );
  const ok =
    groups.length === 1 && groups[0].status === "pass" && groups[0].rules === rules && (count === undefined || groups[0].n === count);
  return ok ? undefined : `expected ${count ?? "all"} logs "pass" with ${rules} applied rules, found ${JSON.stringify(groups)}`;
}

// ---------- timing a drain ----------

/**
 * Starts what evaluates the logs (`start()` returns `{ alive(), failure() }`) and polls every 50 ms until
 * no log is pending. Times from just before `start()`; the first claim is the first poll that sees a
 * leased pending log or fewer than `total` pending.
 */
async function timeDrain(database, total, start, timeoutMs = 600_000) {
  return withClient(async (c) => {
    const poll = async () =>
      (
        await c.query(
          "SELECT count(*)::int AS pending, coalesce(bool_or(eval_lease_until IS NOT NULL), false) AS leased FROM logs WHERE status = 'pending'",
        )
      ).rows[0];
    let polls = 0;
    const t0 = performance.now();
    const runner = await start();
    let firstClaim;
    for (;;) {
      const { pending, leased } = await poll();
      polls++;
      const elapsed = (performance.now() - t0) / 1000;
      if (firstClaim === undefined && (leased || pending < total)) firstClaim = elapsed;
      if (pending === 0) return { seconds: elapsed, firstClaimSeconds: firstClaim, polls };
      stopIfAborted();
      if (runner.failure()) throw runner.failure();
      if (!runner.alive()) throw new Error(`stopped with ${pending} logs still pending`);
      if (elapsed * 1000 > timeoutMs) throw new Error(`${pending} logs still pending after ${timeoutMs / 1000} s`);
      await sleep(POLL_MS);
    }
  }, dbUrl(database));
}

/** Logs/s over the whole time, and over the time after the first claim (without the process's start). */
function rates(count, drain) {
  return {
    logsPerSecond: count / drain.seconds,
    logsPerSecondAfterFirstClaim: count / (drain.seconds - drain.firstClaimSeconds),
  };
}

// ---------- 1. the worker ----------

async function measureWorker({ opts, database, count, cpuProfDir }) {
  const commits0 = await commits(database);
  let worker;
  const cpu0 = cpuSnapshot({ worker: undefined });
  const drain = await timeDrain(database, count, () => {
    worker = startWorker({
      main: opts.worker,
      database,
      cpuProfDir,
      env: { TRACIRA_WORKER_CONCURRENCY: String(opts.concurrency) },
    });
    return { alive: worker.alive, failure: () => (worker.alive() ? undefined : new Error(`the worker exited:\n${worker.output()}`)) };
  });
  const cores = coresUsed(cpu0, cpuSnapshot({ worker: worker.pid }), ["worker", "postgres", "loadClient"], { loadClient: "poller" });
  await worker.stop(); // its connections close, so its transaction counts are published…
  await sleep(200); // …by the backends as they exit, just after the client sees the close
  const transactions = (await commits(database)) - commits0 - drain.polls;
  return { logs: count, ...drain, ...rates(count, drain), dbTransactionsPerLog: round(transactions / count, 4), cores };
}

// ---------- 2. the baseline ----------

/**
 * The worker's statements for one batch, as a pgbench script. The claim is store.ts's CLAIM with the same
 * parameters; its rows (every column the worker reads is read) are folded into one row of FINALIZE
 * parameters: the ids, then the final values the worker wrote, as the same text arrays, and the rule
 * evaluation rows the worker wrote for one log repeated for each claimed log (trace_id set), as the same
 * JSON text (ruleEvaluationRows). \gset keeps them (as p_*) for the next commands. Then the worker's rules
 * read, then the outbox's settings read and store.ts's FINALIZE (the UPDATE and the INSERT of the
 * evaluation rows in one statement), as the worker runs them when nobody listens.
 */
function baselineScript() {
  const claim = `
    WITH picked AS (
      SELECT id FROM logs
      WHERE status = 'pending' AND (eval_lease_until IS NULL OR eval_lease_until < now())
      LIMIT :batch
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE logs l SET eval_lease_until = now() + :lease_ms * interval '1 millisecond', eval_lease_owner = :owner,
        eval_attempts = l.eval_attempts + 1
      FROM picked WHERE l.id = picked.id
      RETURNING l.*
    ), rows AS (
      SELECT l.id, l.workspace_id, p.name AS project_name, l.task_name, l.output, l.confidence, l.input,
        l.input_text, l.eval_attempts, l.callback_url, l.callback_events
      FROM claimed l JOIN projects p ON p.id = l.project_id
    )
    SELECT coalesce(array_agg(id), '{}')::text AS ids,
      array_fill(:status::text, ARRAY[count(*)::int])::text AS statuses,
      array_fill(:score::float8, ARRAY[count(*)::int])::text AS scores,
      array_fill(:explanation::text, ARRAY[count(*)::int])::text AS explanations,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('trace_id', r.id) || t.row ORDER BY r.id, t.n), '[]'::jsonb)
         FROM rows r CROSS JOIN jsonb_array_elements(:evaluations::jsonb) WITH ORDINALITY AS t(row, n))::text AS evaluations,
      max(length(output) + coalesce(length(input_text), 0) + eval_attempts + coalesce(length(callback_url), 0) + length(callback_events::text)) AS touched
    FROM rows \\gset p_`;
  const rules = `
    SELECT r.id, r.workspace_id, r.name, r.type, r.value, r.project_id, p.name AS project_name, r.task_name,
      r.llm_judge_provider, r.llm_judge_model, r.target, r.span_kind, r.span_name
    FROM rules r LEFT JOIN projects p ON p.id = r.project_id
    WHERE r.workspace_id = ANY(:workspaces::uuid[]) AND r.is_active
    ORDER BY r.created_at, r.id;`;
  // Before the final write the worker reads the workspaces' notification settings (the outbox); with
  // nobody listening (this run configures no callback, hook or alert) the write is one statement.
  const notify = `${NOTIFY_SETTINGS.replace("$1", ":workspaces")};`;
  const finalize = `
    WITH finalized AS (
      UPDATE logs l SET status = u.status::log_status, verdict = u.status::log_status, confidence_score = u.score,
        explanation = u.explanation, evaluated_at = now(), updated_at = now(), eval_lease_until = NULL, eval_lease_owner = NULL
      FROM unnest(:p_ids::text[], :p_statuses::text[], :p_scores::float8[], :p_explanations::text[]) AS u(id, status, score, explanation)
      WHERE l.id = u.id AND l.status = 'pending'
      RETURNING l.id, l.workspace_id
    ), recorded AS (
      INSERT INTO evaluations (id, trace_id, span_id, workspace_id, evaluator, evaluator_version, name, score, label, reason, metadata, position)
      SELECT e.id, f.id, e.span_id, f.workspace_id, e.evaluator, e.evaluator_version, e.name, e.score, e.label, e.reason, e.metadata, e.position
      FROM jsonb_to_recordset(:p_evaluations::jsonb) AS ${EVALUATION_RECORDSET} JOIN finalized f ON f.id = e.trace_id
      ON CONFLICT (trace_id, id) DO NOTHING
    )
    SELECT id FROM finalized;`;
  return [claim, rules, notify, finalize].map(oneLine).join("\n") + "\n";
}

async function measureBaseline({ opts, database, tmp, count, final }) {
  const { batch, inFlight: clients } = workerShape(opts.concurrency);
  // Enough transactions per client to claim every log even if the clients' shares end up uneven; the
  // surplus finds nothing pending and ends at once.
  const transactions = Math.ceil(count / (batch * clients)) + 2;
  let result;
  let failure;
  const drain = await timeDrain(database, count, () => {
    pgbench({
      database,
      tmp,
      name: "claim-finalize",
      script: baselineScript(),
      clients,
      transactions,
      mode: opts.pgbenchMode,
      defines: {
        batch,
        lease_ms: 30_000,
        owner: "pgbench",
        workspaces: `{${final.workspaceId}}`,
        status: "pass",
        score: 1,
        explanation: final.explanation,
        evaluations: final.evaluations,
      },
    }).then(
      (r) => (result = r),
      (e) => (failure = e),
    );
    return { alive: () => !result && !failure, failure: () => failure };
  });
  while (!result && !failure) await sleep(POLL_MS); // the surplus transactions
  if (failure) throw failure;
  if (result.failed) throw new Error(`pgbench: ${result.failed} failed transactions`);
  return { logs: count, clients, batch, ...drain, ...rates(count, drain), pgbench: result, cores: result.cores };
}

// ---------- 3. sync gate vs async ----------

const expectStatus = (status) => (text) => {
  try {
    const got = JSON.parse(text).status;
    return got === status ? undefined : `answered status "${got}", expected "${status}": ${text}`;
  } catch {
    return `not JSON: ${text}`;
  }
};

async function measureLatency({ opts, database, token, cpuProfDir }) {
  const server = startServer({
    main: opts.server,
    database,
    token,
    cpuProfDir,
    env: { TRACIRA_WORKER: "true", TRACIRA_WORKER_CONCURRENCY: String(opts.concurrency) },
  });
  const url = await server.url;
  log(`server ${url} (pid ${server.pid}, worker on); ${opts.clients} clients, ${opts.seconds} s per phase`);
  const asyncLoad = { url, token, body: LOG, clients: opts.clients, server, check: expectStatus("pending") };
  const syncLoad = { ...asyncLoad, body: { ...LOG, sync: true }, check: expectStatus("pass") };

  const phases = {};
  /** One measured phase from a quiet start: no backlog, table vacuumed; then the backlog it left is drained. */
  const phase = async (name, load, seconds) => {
    await settle(database);
    stopIfAborted();
    log(`${name}: ${seconds} s`);
    const result = await drive({ ...load, seconds });
    if (!server.alive()) throw new Error(`the server exited during ${name}:\n${server.output()}`);
    const [{ n }] = await query(database, "SELECT count(*)::int AS n FROM logs WHERE status = 'pending'");
    const drain = n ? await timeDrain(database, n, () => ({ alive: server.alive, failure: () => undefined })) : { seconds: 0 };
    phases[name] = { ...result, backlog: n, backlogDrainSeconds: drain.seconds };
  };

  if (opts.warmup > 0) {
    await phase("warmupAsync", asyncLoad, opts.warmup);
    await phase("warmupSync", syncLoad, opts.warmup);
  }
  await phase("async", asyncLoad, opts.seconds);
  await phase("sync", syncLoad, opts.seconds);
  await phase("asyncAgain", asyncLoad, opts.seconds);
  await server.stop();
  const stored = Object.values(phases).reduce((sum, p) => sum + p.ok, 0);
  return { phases, stored };
}

// ---------- report ----------

const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const cell = (v, width, digits = 1) => (typeof v === "number" ? fmt(v, digits) : String(v ?? "-")).padStart(width);

function printThroughput({ opts, worker, workerNoRules, baseline }) {
  const { batch, inFlight } = workerShape(opts.concurrency);
  console.log("");
  console.log(
    `1-2. Evaluation throughput: ${opts.logs} pending logs; worker concurrency ${opts.concurrency} (batches of ${batch}, ${inFlight} in flight)`,
  );
  console.log("                                  logs/s   seconds  1st claim s  logs/s after 1st claim   cores used");
  const row = (label, r) =>
    console.log(
      `${label.padEnd(32)}${cell(r.logsPerSecond, 8, 0)}${cell(r.seconds, 10, 2)}${cell(r.firstClaimSeconds, 13, 2)}${cell(r.logsPerSecondAfterFirstClaim, 24, 0)}   ${formatCores(r.cores)}`,
    );
  row("worker, 5 rules", worker);
  row("worker, 0 rules", workerNoRules);
  row(`pgbench claim+finalize (-c ${baseline.clients})`, baseline);
  console.log(
    `ratio worker/pgbench = ${fmt(worker.logsPerSecond / baseline.logsPerSecond, 3)} (5 rules), ` +
      `${fmt(workerNoRules.logsPerSecond / baseline.logsPerSecond, 3)} (0 rules); ` +
      `after the first claim: ${fmt(worker.logsPerSecondAfterFirstClaim / baseline.logsPerSecondAfterFirstClaim, 3)}, ` +
      `${fmt(workerNoRules.logsPerSecondAfterFirstClaim / baseline.logsPerSecondAfterFirstClaim, 3)}`,
  );
  console.log(
    `worker database transactions per log: ${worker.dbTransactionsPerLog} (5 rules), ${workerNoRules.dbTransactionsPerLog} (0 rules)`,
  );
}

function printLatency({ opts, latency }) {
  const { phases } = latency;
  console.log("");
  console.log(`3. POST /api/logs with the server's worker on: ${opts.clients} clients, ${opts.seconds} s each`);
  console.log("                        req/s    p50 ms   p99 ms   max ms  errors  backlog (drained in s)  cores used");
  const row = (label, p) =>
    console.log(
      `${label.padEnd(22)}${cell(p.throughput, 7)}${cell(p.p50Ms, 10, 2)}${cell(p.p99Ms, 9, 2)}${cell(p.maxMs, 9)}${cell(p.errors, 8)}${cell(`${p.backlog} (${fmt(p.backlogDrainSeconds, 2)})`, 24)}  ${formatCores(p.cores)}`,
    );
  row("async", phases.async);
  row("sync, 5 rules", phases.sync);
  row("async again", phases.asyncAgain);
  console.log(
    `ratio sync/async: p50 ${fmt(phases.sync.p50Ms / phases.async.p50Ms, 2)}, p99 ${fmt(phases.sync.p99Ms / phases.async.p99Ms, 2)}; ` +
      `req/s ${fmt(phases.sync.throughput / phases.async.throughput, 2)}`,
  );
}

function printGoals({ worker, latency }) {
  const met = (ok) => (ok ? "met" : "NOT met");
  const rate = worker.logsPerSecond;
  const p99 = latency.phases.sync.p99Ms;
  console.log("");
  console.log(`goal worker >= ${GOALS.workerLogsPerSecond} logs/s: ${met(rate >= GOALS.workerLogsPerSecond)} (${fmt(rate, 0)})`);
  console.log(`goal sync p99 <= ${GOALS.syncP99Ms} ms: ${met(p99 <= GOALS.syncP99Ms)} (${fmt(p99, 2)} ms)`);
}

// ---------- main ----------

async function main(opts, { stamp, database, tmp, postgres }) {
  const token = `wh-${randomBytes(32).toString("base64url")}`;
  const profileDir = (name) => {
    if (!opts.cpuProf) return undefined;
    const dir = path.join(RESULTS_DIR, `profile-${stamp}`, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const problems = [];
  const expect = (problem) => problem && (problems.push(problem), log(`ERROR ${problem}`));
  log(`database ${database} (Postgres ${postgres.version}, synchronous_commit=${postgres.sync}, max_connections=${postgres.maxconn})`);

  // Setup through the API, with the server's worker off so the seed log stays pending.
  const setup = startServer({ main: opts.server, database, token, env: { TRACIRA_WORKER: "false" } });
  const url = await setup.url;
  await createRules(url, token);
  const seed = await seedRow(url, token, database);
  await setup.stop();
  stopIfAborted();

  log(`worker, 5 rules: ${opts.logs} logs, concurrency ${opts.concurrency}`);
  await loadPending(database, seed, opts.logs);
  const worker = await measureWorker({ opts, database, count: opts.logs, cpuProfDir: profileDir("worker") });
  expect(await checkAllPass(database, { rules: RULES.length, count: opts.logs }));
  // The final values the worker wrote for one log, and its evaluation rows as ruleEvaluationRows sends them
  // (trace_id aside: the baseline sets it per claimed log).
  const [final] = await query(
    database,
    `SELECT l.workspace_id, l.explanation,
       (SELECT jsonb_agg(jsonb_build_object('id', e.id, 'evaluator', e.evaluator, 'evaluator_version', e.evaluator_version,
          'name', e.name, 'score', e.score, 'label', e.label, 'reason', e.reason, 'metadata', e.metadata, 'position', e.position)
          ORDER BY e.position)
        FROM evaluations e WHERE e.trace_id = l.id)::text AS evaluations
     FROM logs l LIMIT 1`,
  );

  log(`worker, 0 rules: ${opts.logs} logs`);
  await setRulesActive(database, false);
  await loadPending(database, seed, opts.logs);
  const workerNoRules = await measureWorker({ opts, database, count: opts.logs });
  expect(await checkAllPass(database, { rules: 0, count: opts.logs }));
  await setRulesActive(database, true);

  const { batch, inFlight } = workerShape(opts.concurrency);
  log(`pgbench claim+finalize: ${opts.logs} logs, ${inFlight} client(s), batches of ${batch}, -M ${opts.pgbenchMode}`);
  await loadPending(database, seed, opts.logs);
  const baseline = await measureBaseline({
    opts,
    database,
    tmp,
    count: opts.logs,
    final: { workspaceId: final.workspace_id, explanation: final.explanation, evaluations: final.evaluations },
  });
  stopIfAborted();
  // The baseline wrote what the worker writes: every log `pass`, with its five evaluation rows.
  expect(await checkAllPass(database, { rules: RULES.length, count: opts.logs }));

  await loadPending(database, seed, 0);
  const latency = await measureLatency({ opts, database, token, cpuProfDir: profileDir("server") });
  for (const [name, p] of Object.entries(latency.phases)) {
    if (p.errors) expect(`${name}: ${p.errors} bad answers ${JSON.stringify(p.statuses)}; first: ${p.firstError}`);
  }
  expect(await checkAllPass(database, { rules: RULES.length, count: latency.stored }));
  stopIfAborted();

  printThroughput({ opts, worker, workerNoRules, baseline });
  printLatency({ opts, latency });
  printGoals({ worker, latency });
  if (opts.cpuProf) log(`CPU profiles in ${path.relative(ROOT, path.join(RESULTS_DIR, `profile-${stamp}`))}`);
  if (opts.json) {
    const file = writeResults(
      "evaluate",
      stamp,
      { options: opts, goals: GOALS, worker, workerNoRules, baseline, latency, problems },
      postgres,
    );
    log(`results in ${path.relative(ROOT, file)}`);
  }
  if (problems.length) throw new Error(`${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
}

const opts = parseArgs(process.argv.slice(2), OPTIONS, USAGE);
runBench((session) => main(opts, session));
