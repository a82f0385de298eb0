#!/usr/bin/env node
/**
 * Ingest benchmark: how close does async `POST /api/logs` get to what Postgres itself can insert?
 *
 *   npm run bench:ingest -- [--seconds 15] [--clients 64] [--warmup 3] [--json] [--cpu-prof] [--server main.js]
 *
 * One run: creates a fresh database, starts the built server (`backend/dist/main.js`, build first) on it,
 * warms up, drives POST /api/logs from N keep-alive clients for a fixed time, stops the server, then runs
 * pgbench with the same number of clients inserting the same row straight into `logs`. Prints both and the
 * ratio server_throughput / pgbench_tps. The server is stopped and the database dropped at the end, also
 * on failure or Ctrl-C. Everything talks to 127.0.0.1 only.
 *
 * --cpu-prof writes a V8 profile of the server to bench/results/; --server runs another build of main.js
 * (to compare two builds). Env: BENCH_PG_URL (admin URL, default postgresql://postgres@127.0.0.1:5432/postgres),
 * PGBENCH (path to pgbench), DATABASE_POOL_SIZE (passed on to the server).
 *
 * "cores used" (Linux) splits the machine's busy time: the server process, all postgres processes (of every
 * database on the cluster), this script (the load client), pgbench, and `other` = everything else. A run with
 * a busy `other` shared the machine with something and is worth repeating.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "../lib/args.mjs";
import { fmt, formatCores, log, RESULTS_DIR, ROOT, writeResults } from "../lib/common.mjs";
import { commits, query, settle } from "../lib/db.mjs";
import { drive } from "../lib/http-load.mjs";
import { oneLine, pgbench } from "../lib/pgbench.mjs";
import { stopIfAborted } from "../lib/procs.mjs";
import { runBench } from "../lib/session.mjs";
import { DEFAULT_SERVER, startServer } from "../lib/tracira.mjs";

const USAGE = `
usage: node bench/ingest/run.mjs [--seconds 15] [--clients 64] [--warmup 3] [--json] [--cpu-prof] [--server backend/dist/main.js] [--embedded]

  --embedded   first the same load against the server on its embedded default (PGlite, no DATABASE_URL):
               what a newcomer gets; printed beside the server on Postgres at the same client count
`;
const OPTIONS = {
  seconds: { kind: "number", default: 15, min: 1 },
  clients: { kind: "number", default: 64, min: 1 },
  warmup: { kind: "number", default: 3 },
  json: { kind: "flag" },
  cpuProf: { kind: "flag" },
  server: { kind: "path", default: DEFAULT_SERVER },
  embedded: { kind: "flag" },
};

// ---------- the request both sides send ----------

const OUTPUT =
  "Thanks for reaching out! I have checked your order #48213 and it shipped this morning from our Rotterdam " +
  "warehouse. You should receive a tracking e-mail within the next hour; delivery is expected on Thursday " +
  "between 9:00 and 17:00. If anything looks off, reply to this message and a human agent will follow up.";
const LOG = { project: "bench", task: "t", output: OUTPUT, model: "gpt-4o", latencyMs: 123, costUsd: 0.001, tags: ["a", "b"] };

/** The server's INSERT for LOG, with values as ingest.ts binds them (no CTE: the project exists). */
function pgbenchScript() {
  const lit = (s) => `'${s.replaceAll("'", "''")}'`;
  return (
    oneLine(`INSERT INTO logs (
  id, workspace_id, project_id, task_name, timestamp, session_id, subject_id, actor_id, model,
  latency_ms, cost_usd, confidence, input, input_text, output, metadata, tags, attachments,
  callback_url, callback_events
) VALUES (
  gen_random_uuid()::text, :ws::uuid, :project::uuid, ${lit(LOG.task)}, now(), NULL, NULL, NULL, ${lit(LOG.model)},
  ${LOG.latencyMs}, ${LOG.costUsd}, NULL, NULL::jsonb, NULL, ${lit(LOG.output)}, NULL::jsonb, '{${LOG.tags.join(",")}}'::text[], NULL::jsonb,
  NULL, 'all'::callback_events
) ON CONFLICT (id) DO NOTHING;`) + "\n"
  );
}

// ---------- main ----------

async function main(opts, { stamp, database, tmp, postgres }) {
  const token = `wh-${randomBytes(32).toString("base64url")}`;
  const cpuProfDir = opts.cpuProf ? path.join(RESULTS_DIR, `profile-${stamp}`) : undefined;
  log(`database ${database} (Postgres ${postgres.version}, synchronous_commit=${postgres.sync}, max_connections=${postgres.maxconn})`);

  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const embedded = opts.embedded ? await driveEmbedded(opts, token, tmp) : undefined;
  const server = startServer({ main: opts.server, database, token, cpuProfDir });
  const url = await server.url;
  stopIfAborted();
  log(`server ${url} (pid ${server.pid}); warm-up ${opts.warmup} s, then ${opts.seconds} s × ${opts.clients} clients`);

  // Database transactions per request (auth SELECT + INSERT = 2 without batching), from pg_stat_database:
  // backends publish their counts late (at the latest when they exit), so it is read once the server is
  // stopped, over warm-up and run together.
  const commits0 = await commits(database);
  const load = { url, token, body: LOG, clients: opts.clients, server };
  let warmupRequests = 0;
  if (opts.warmup > 0) {
    const w = await drive({ ...load, seconds: opts.warmup });
    if (w.ok === 0) throw new Error(`warm-up: no request succeeded (${w.firstError})\n${server.output()}`);
    warmupRequests = w.requests;
  }
  stopIfAborted();
  await settle(database);
  const served = await drive({ ...load, seconds: opts.seconds });
  stopIfAborted();
  if (!server.alive()) throw new Error(`the server exited during the run:\n${server.output()}`);
  if (served.errors) log(`server: ${served.errors} non-200 answers ${JSON.stringify(served.statuses)}; first: ${served.firstError}`);

  const [ids] = await query(
    database,
    "SELECT p.workspace_id, p.id, (SELECT count(*) FROM logs)::int AS logs FROM projects p WHERE p.name = $1",
    [LOG.project],
  );
  if (!ids) throw new Error(`the server run created no project "${LOG.project}"`);
  await server.stop(); // pgbench gets the machine (and the connections) to itself
  if (cpuProfDir) log(`server CPU profile in ${path.relative(ROOT, cpuProfDir)}`);
  served.dbTransactionsPerRequest = Math.round((((await commits(database)) - commits0) / (warmupRequests + served.requests)) * 100) / 100;

  await settle(database);
  log(`pgbench: ${opts.clients} clients, ${opts.seconds} s (logs table holds ${ids.logs} rows)`);
  // -M extended: every statement is sent with its parameters, as node-pg does.
  const bench = await pgbench({
    database,
    tmp,
    name: "insert-log",
    script: pgbenchScript(),
    clients: opts.clients,
    seconds: opts.seconds,
    defines: { ws: ids.workspace_id, project: ids.id },
  });

  stopIfAborted();
  const ratio = served.throughput / bench.tps;
  console.log("");
  console.log(`                        req/s      p50 ms   p99 ms   max ms   errors   cores used`);
  console.log(
    `server POST /api/logs  ${fmt(served.throughput).padStart(9)}  ${fmt(served.p50Ms, 2).padStart(8)} ${fmt(served.p99Ms, 2).padStart(8)} ${fmt(served.maxMs).padStart(8)} ${String(served.errors).padStart(8)}   ${formatCores(served.cores)}`,
  );
  console.log(
    `pgbench INSERT         ${fmt(bench.tps).padStart(9)}  ${fmt(bench.p50Ms, 2).padStart(8)} ${fmt(bench.p99Ms, 2).padStart(8)} ${fmt(bench.maxMs).padStart(8)} ${String(bench.failed || 0).padStart(8)}   ${formatCores(bench.cores)}`,
  );
  if (embedded) {
    console.log(
      `server on PGlite       ${fmt(embedded.throughput).padStart(9)}  ${fmt(embedded.p50Ms, 2).padStart(8)} ${fmt(embedded.p99Ms, 2).padStart(8)} ${fmt(embedded.maxMs).padStart(8)} ${String(embedded.errors).padStart(8)}   ${formatCores(embedded.cores)}`,
    );
  }
  console.log(`server: ${served.dbTransactionsPerRequest} database transactions per request`);
  console.log("");
  console.log(`ratio server/pgbench = ${ratio.toFixed(3)}  (goal >= 0.7: ${ratio >= 0.7 ? "met" : "NOT met"})`);
  if (embedded) console.log(`ratio PGlite server/Postgres server = ${(embedded.throughput / served.throughput).toFixed(3)}`);

  if (opts.json) {
    const file = writeResults("ingest", stamp, { options: opts, server: served, embedded, pgbench: bench, ratio }, postgres);
    log(`results in ${path.relative(ROOT, file)}`);
  }
}

/** The same load against the server on its embedded default (PGlite in a temp data folder, no DATABASE_URL). */
async function driveEmbedded(opts, token, tmp) {
  const server = startServer({
    main: opts.server,
    database: "unused",
    token,
    env: { DATABASE_URL: undefined, TRACIRA_DATA_DIR: path.join(tmp, "embedded") },
  });
  const url = await server.url;
  log(`embedded server ${url} (PGlite); warm-up ${opts.warmup} s, then ${opts.seconds} s × ${opts.clients} clients`);
  const load = { url, token, body: LOG, clients: opts.clients, server };
  if (opts.warmup > 0) await drive({ ...load, seconds: opts.warmup });
  const served = await drive({ ...load, seconds: opts.seconds });
  if (!server.alive()) throw new Error(`the embedded server exited during the run:\n${server.output()}`);
  if (served.errors) log(`embedded: ${served.errors} non-200 answers ${JSON.stringify(served.statuses)}; first: ${served.firstError}`);
  await server.stop();
  return served;
}

const opts = parseArgs(process.argv.slice(2), OPTIONS, USAGE);
runBench((session) => main(opts, session));
