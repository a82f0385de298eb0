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
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DEFAULT_SERVER = path.join(ROOT, "backend/dist/main.js");
const RESULTS_DIR = path.join(ROOT, "bench/results");

/** Set by Ctrl-C / SIGTERM: load loops stop, pgbench is stopped, and the run ends through its cleanup. */
let aborted = false;
const tools = new Set(); // running pgbench processes

// ---------- options ----------

function parseArgs(argv) {
  const opts = { seconds: 15, clients: 64, warmup: 3, json: false, cpuProf: false, server: DEFAULT_SERVER };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => {
      const v = inline ?? argv[++i];
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number, got ${v}`);
      return n;
    };
    if (flag === "--seconds") opts.seconds = value();
    else if (flag === "--clients") opts.clients = value();
    else if (flag === "--warmup") opts.warmup = value();
    else if (flag === "--json") opts.json = true;
    else if (flag === "--cpu-prof") opts.cpuProf = true;
    else if (flag === "--server") opts.server = path.resolve(inline ?? argv[++i] ?? "");
    else if (flag === "--help" || flag === "-h") {
      console.log("usage: node bench/ingest/run.mjs [--seconds 15] [--clients 64] [--warmup 3] [--json] [--cpu-prof] [--server backend/dist/main.js]");
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]}`);
  }
  if (opts.seconds < 1 || opts.clients < 1) throw new Error("--seconds and --clients must be at least 1");
  return opts;
}

const ADMIN_URL = new URL(process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
if (!["127.0.0.1", "localhost"].includes(ADMIN_URL.hostname)) {
  throw new Error(`BENCH_PG_URL must point at 127.0.0.1, not ${ADMIN_URL.hostname}`);
}
ADMIN_URL.hostname = "127.0.0.1";
const dbUrl = (name) => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();

/** Runs `fn` on a fresh connection (the admin database unless another URL is given); bounded in time. */
async function withClient(fn, connectionString = ADMIN_URL.toString()) {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000, query_timeout: 120_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ---------- the request both sides send ----------

const OUTPUT =
  "Thanks for reaching out! I have checked your order #48213 and it shipped this morning from our Rotterdam " +
  "warehouse. You should receive a tracking e-mail within the next hour; delivery is expected on Thursday " +
  "between 9:00 and 17:00. If anything looks off, reply to this message and a human agent will follow up.";
const LOG = { project: "bench", task: "t", output: OUTPUT, model: "gpt-4o", latencyMs: 123, costUsd: 0.001, tags: ["a", "b"] };

/** The server's INSERT for LOG, with values as ingest.ts binds them (no CTE: the project exists). */
function pgbenchScript() {
  const lit = (s) => `'${s.replaceAll("'", "''")}'`;
  return `INSERT INTO logs (
  id, workspace_id, project_id, task_name, timestamp, session_id, subject_id, actor_id, model,
  latency_ms, cost_usd, confidence, input, input_text, output, metadata, tags, attachments,
  callback_url, callback_events
) VALUES (
  gen_random_uuid()::text, :ws::uuid, :project::uuid, ${lit(LOG.task)}, now(), NULL, NULL, NULL, ${lit(LOG.model)},
  ${LOG.latencyMs}, ${LOG.costUsd}, NULL, NULL::jsonb, NULL, ${lit(LOG.output)}, NULL::jsonb, '{${LOG.tags.join(",")}}'::text[], NULL::jsonb,
  NULL, 'all'::callback_events
) ON CONFLICT (id) DO NOTHING;
`.replaceAll("\n", " ") + "\n"; // pgbench reads one SQL command per line
}

/**
 * Both measured phases start from the same state: the logs table vacuumed (GIN pending list merged) and a
 * fresh checkpoint, so neither pays for the other's leftovers. Skipped when not permitted.
 */
async function settle(database) {
  await withClient(async (c) => {
    await c.query("VACUUM (ANALYZE) logs");
    await c.query("CHECKPOINT").catch(() => undefined);
  }, dbUrl(database));
}

// ---------- server ----------

function startServer({ main, database, token, cpuProfDir }) {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
  const nodeArgs = cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfDir] : [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: dbUrl(database),
      HOST: "127.0.0.1",
      PORT: "0",
      PUBLIC_URL: "",
      TRACIRA_BOOTSTRAP_TOKEN: token,
      TRACIRA_BOOTSTRAP_WORKSPACE: "bench",
      TRACIRA_LOG_LEVEL: "warn",
      TRACIRA_VALIDATE_RESPONSES: "false",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      if (output.length > 20_000) output = output.slice(-20_000);
      const m = /Tracira is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  url.catch(() => undefined);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid,
    alive,
    url,
    output: () => output,
    /** SIGTERM (the server closes its pool and exits, writing a CPU profile if asked), SIGKILL after 15 s. */
    async stop() {
      if (!alive()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------- HTTP load ----------

/**
 * CPU seconds used so far, from /proc (Linux; undefined elsewhere): the machine (all cores, busy time), the
 * server, and all postgres processes (with the CPU of exited backends, which the postmaster reaps into its
 * children's time).
 */
function cpuSnapshot(serverPid, at = performance.now()) {
  try {
    const ticks = (pid) => {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return { comm, self: (+f[11] + +f[12]) / 100, children: (+f[13] + +f[14]) / 100 }; // USER_HZ = 100
    };
    let postgres = 0;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const t = ticks(pid);
        if (t.comm === "postgres") postgres += t.self + t.children;
      } catch {
        /* exited meanwhile */
      }
    }
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + cpu[4];
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    const self = ticks("self");
    return {
      at,
      machineBusy: (total - idle) / 100,
      postgres,
      server: serverPid ? ticks(serverPid).self : 0,
      loadClient: self.self,
      children: self.children, // exited children of this script (pgbench once it is done)
    };
  } catch {
    return undefined;
  }
}

/**
 * Average cores used between two snapshots: the whole machine, then each part; `other` is what the rest of
 * the machine used meanwhile (a busy neighbour makes the run worth repeating).
 */
function coresUsed(a, b, parts) {
  if (!a || !b) return undefined;
  const s = (b.at - a.at) / 1000;
  const r = (x) => Math.round((x / s) * 100) / 100;
  const out = { machine: r(b.machineBusy - a.machineBusy) };
  for (const p of parts) out[p] = r(b[p] - a[p]);
  out.other = Math.max(0, Math.round((out.machine - parts.reduce((sum, p) => sum + out[p], 0)) * 100) / 100);
  return out;
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Drives `clients` concurrent keep-alive loops of POST /api/logs for `seconds`; bounded in time. */
async function drive({ url, token, clients, seconds, serverPid, serverAlive }) {
  const target = new URL("/api/logs", url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  const body = Buffer.from(JSON.stringify(LOG));
  const headers = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    "content-length": body.length,
  };
  const latencies = [];
  const statuses = new Map();
  let ok = 0;
  let errors = 0;
  let firstError;

  const once = () =>
    new Promise((resolve) => {
      const start = performance.now();
      let answered = false;
      const done = (status, detail) => {
        if (answered) return;
        answered = true;
        const ms = performance.now() - start;
        if (status === 200) {
          ok++;
          latencies.push(ms);
        } else {
          errors++;
          firstError ??= `${status}: ${detail}`.slice(0, 500);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        resolve();
      };
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => done(res.statusCode, Buffer.concat(chunks).toString()));
          res.on("error", (e) => done("error", e.message));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error("timeout after 30 s")));
      req.on("error", (e) => done("error", e.message));
      req.end(body);
    });

  const cpu0 = cpuSnapshot(serverPid);
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && serverAlive() && !aborted) await once();
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cores = coresUsed(cpu0, cpuSnapshot(serverPid), ["server", "postgres", "loadClient"]);
  agent.destroy();

  latencies.sort((a, b) => a - b);
  return {
    seconds: elapsed,
    requests: ok + errors,
    ok,
    errors,
    statuses: Object.fromEntries(statuses),
    firstError,
    throughput: ok / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
    cores,
  };
}

// ---------- pgbench ----------

function run(cmd, args, { timeoutMs, env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    tools.add(child);
    child.once("exit", () => tools.delete(child));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-20_000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${cmd} failed (${signal ?? code}):\n${stderr}\n${stdout}`));
    });
  });
}

async function pgbench({ database, clients, seconds, workspaceId, projectId, tmp }) {
  const script = path.join(tmp, "insert-log.sql");
  writeFileSync(script, pgbenchScript());
  const logDir = path.join(tmp, "pgbench-log");
  mkdirSync(logDir);
  // -M extended: like the server (node-pg), every statement is sent with its parameters and planned anew.
  const args = [
    "-h", ADMIN_URL.hostname, "-p", ADMIN_URL.port || "5432", "-U", decodeURIComponent(ADMIN_URL.username || "postgres"),
    "-n", "-M", "extended", "-c", String(clients), "-j", String(Math.min(2, clients)), "-T", String(seconds),
    "-D", `ws=${workspaceId}`, "-D", `project=${projectId}`,
    "-f", script, "-l", "--log-prefix", path.join(logDir, "tx"),
    database,
  ];
  const env = ADMIN_URL.password ? { PGPASSWORD: decodeURIComponent(ADMIN_URL.password) } : {};
  const cpu0 = cpuSnapshot();
  const { stdout } = await run(process.env.PGBENCH ?? "pgbench", args, { timeoutMs: (seconds + 60) * 1000, env });
  // pgbench's backends exit with it; the postmaster counts their CPU once it has reaped them.
  const end = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const c = coresUsed(cpu0, cpuSnapshot(undefined, end), ["postgres", "children"]);
  const cores = c && { machine: c.machine, postgres: c.postgres, pgbench: c.children, other: c.other };
  const num = (re) => Number(re.exec(stdout)?.[1]);
  // Per-transaction log lines: client_id transaction_no time_us script_no time_epoch time_us_frac
  const latencies = [];
  let failed = 0;
  for (const file of readdirSync(logDir)) {
    for (const line of readFileSync(path.join(logDir, file), "utf8").split("\n")) {
      const us = line.split(" ")[2];
      if (us === undefined) continue;
      if (/^\d+$/.test(us)) latencies.push(Number(us) / 1000);
      else failed++;
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    tps: num(/tps = ([\d.]+) \(without initial connection time\)/),
    transactions: num(/number of transactions actually processed: (\d+)/),
    failed: num(/number of failed transactions: (\d+)/) || failed,
    avgMs: num(/latency average = ([\d.]+) ms/),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
    cores,
  };
}

// ---------- main ----------

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const cores = (c) => (c ? Object.entries(c).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ") : "-");

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const database = `tracira_bench_${stamp}_${randomBytes(3).toString("hex")}`;
  const token = `wh-${randomBytes(32).toString("base64url")}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tracira-bench-"));
  const cpuProfDir = opts.cpuProf ? path.join(RESULTS_DIR, `profile-${stamp}`) : undefined;
  let server;
  let created = false;

  const cleanup = async () => {
    await server?.stop().catch((e) => console.error(`could not stop the server: ${e.message}`));
    server = undefined;
    if (created) {
      created = false;
      await withClient((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch((e) =>
        console.error(`could not drop database ${database}: ${e.message}`),
      );
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    if (aborted) process.exit(130); // a second Ctrl-C: leave at once
    aborted = true;
    console.error(`\n${signal}: stopping, then cleaning up (Ctrl-C again to leave at once)…`);
    for (const child of tools) child.kill("SIGTERM");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stopIfAborted = () => {
    if (aborted) throw new Error("interrupted");
  };

  try {
    const info = await withClient(async (c) => {
      await c.query(`CREATE DATABASE ${database}`);
      created = true;
      const { rows } = await c.query(
        "SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync, current_setting('max_connections') AS maxconn",
      );
      return rows[0];
    });
    log(`database ${database} (Postgres ${info.version}, synchronous_commit=${info.sync}, max_connections=${info.maxconn})`);

    if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
    server = startServer({ main: opts.server, database, token, cpuProfDir });
    const url = await server.url;
    stopIfAborted();
    log(`server ${url} (pid ${server.pid}); warm-up ${opts.warmup} s, then ${opts.seconds} s × ${opts.clients} clients`);

    // Database transactions per request (auth SELECT + INSERT = 2 without batching), from pg_stat_database:
    // backends publish their counts late (at the latest when they exit), so it is read once the server is
    // stopped, over warm-up and run together.
    const commits = async () =>
      (await withClient((c) => c.query("SELECT xact_commit::float8 AS n FROM pg_stat_database WHERE datname = $1", [database])))
        .rows[0].n;
    const commits0 = await commits();
    let warmupRequests = 0;
    if (opts.warmup > 0) {
      const w = await drive({ url, token, clients: opts.clients, seconds: opts.warmup, serverPid: server.pid, serverAlive: server.alive });
      if (w.ok === 0) throw new Error(`warm-up: no request succeeded (${w.firstError})\n${server.output()}`);
      warmupRequests = w.requests;
    }
    stopIfAborted();
    await settle(database);
    const served = await drive({ url, token, clients: opts.clients, seconds: opts.seconds, serverPid: server.pid, serverAlive: server.alive });
    stopIfAborted();
    if (!server.alive()) throw new Error(`the server exited during the run:\n${server.output()}`);
    if (served.errors) log(`server: ${served.errors} non-200 answers ${JSON.stringify(served.statuses)}; first: ${served.firstError}`);

    const ids = await withClient(
      async (c) =>
        (
          await c.query(
            "SELECT p.workspace_id, p.id, (SELECT count(*) FROM logs)::int AS logs FROM projects p WHERE p.name = $1",
            [LOG.project],
          )
        ).rows[0],
      dbUrl(database),
    );
    if (!ids) throw new Error(`the server run created no project "${LOG.project}"`);
    await server.stop(); // pgbench gets the machine (and the connections) to itself
    server = undefined;
    if (cpuProfDir) log(`server CPU profile in ${path.relative(ROOT, cpuProfDir)}`);
    served.dbTransactionsPerRequest = Math.round((((await commits()) - commits0) / (warmupRequests + served.requests)) * 100) / 100;

    await settle(database);
    log(`pgbench: ${opts.clients} clients, ${opts.seconds} s (logs table holds ${ids.logs} rows)`);
    const bench = await pgbench({
      database, clients: opts.clients, seconds: opts.seconds, workspaceId: ids.workspace_id, projectId: ids.id, tmp,
    });

    stopIfAborted();
    const ratio = served.throughput / bench.tps;
    console.log("");
    console.log(`                        req/s      p50 ms   p99 ms   max ms   errors   cores used`);
    console.log(
      `server POST /api/logs  ${fmt(served.throughput).padStart(9)}  ${fmt(served.p50Ms, 2).padStart(8)} ${fmt(served.p99Ms, 2).padStart(8)} ${fmt(served.maxMs).padStart(8)} ${String(served.errors).padStart(8)}   ${cores(served.cores)}`,
    );
    console.log(
      `pgbench INSERT         ${fmt(bench.tps).padStart(9)}  ${fmt(bench.p50Ms, 2).padStart(8)} ${fmt(bench.p99Ms, 2).padStart(8)} ${fmt(bench.maxMs).padStart(8)} ${String(bench.failed || 0).padStart(8)}   ${cores(bench.cores)}`,
    );
    console.log(`server: ${served.dbTransactionsPerRequest} database transactions per request`);
    console.log("");
    console.log(`ratio server/pgbench = ${ratio.toFixed(3)}  (goal >= 0.7: ${ratio >= 0.7 ? "met" : "NOT met"})`);

    if (opts.json) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = path.join(RESULTS_DIR, `ingest-${stamp}.json`);
      const result = {
        at: new Date().toISOString(),
        options: opts,
        host: { cpus: os.cpus().length, load: os.loadavg(), node: process.version, postgres: info.version, synchronousCommit: info.sync },
        server: served,
        pgbench: bench,
        ratio,
      };
      writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
      log(`results in ${path.relative(ROOT, file)}`);
    }
  } finally {
    await cleanup();
  }
}

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

main().catch((err) => {
  if (aborted) {
    console.error("interrupted; the server is stopped and the database dropped");
    process.exitCode = 130;
    return;
  }
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
