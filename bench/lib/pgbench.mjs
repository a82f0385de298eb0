import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sleep } from "./common.mjs";
import { cpuSnapshot, coresUsed } from "./cpu.mjs";
import { ADMIN_URL } from "./db.mjs";
import { percentile } from "./http-load.mjs";
import { run } from "./procs.mjs";

/** SQL as pgbench reads it: one command per line (comments and line breaks inside a command removed). */
export const oneLine = (sql) =>
  sql
    .replace(/--[^\n]*/g, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();

/**
 * Runs pgbench with `script` (a file's text) against `database`: `clients` connections on up to 2 threads,
 * for `seconds` (-T) or `transactions` per client (-t); `defines` become -D variables; `mode` is the query
 * protocol (-M). Returns tps, counts, latency percentiles (from pgbench's per-transaction log) and the
 * cores used (pgbench's own CPU counted once it has exited).
 */
export async function pgbench({ database, script, clients, seconds, transactions, defines = {}, mode = "extended", tmp, name = "script" }) {
  const dir = path.join(tmp, `pgbench-${name}-${Date.now()}`);
  mkdirSync(dir);
  const file = path.join(dir, `${name}.sql`);
  writeFileSync(file, script);
  const args = [
    "-h",
    ADMIN_URL.hostname,
    "-p",
    ADMIN_URL.port || "5432",
    "-U",
    decodeURIComponent(ADMIN_URL.username || "postgres"),
    "-n",
    "-M",
    mode,
    "-c",
    String(clients),
    "-j",
    String(Math.min(2, clients)),
    ...(transactions ? ["-t", String(transactions)] : ["-T", String(seconds)]),
    ...Object.entries(defines).flatMap(([k, v]) => ["-D", `${k}=${v}`]),
    "-f",
    file,
    "-l",
    "--log-prefix",
    path.join(dir, "tx"),
    database,
  ];
  const env = ADMIN_URL.password ? { PGPASSWORD: decodeURIComponent(ADMIN_URL.password) } : {};
  const cpu0 = cpuSnapshot();
  const timeoutMs = ((seconds ?? 0) + 600) * 1000;
  const { stdout } = await run(process.env.PGBENCH ?? "pgbench", args, { timeoutMs, env });
  // pgbench's backends exit with it; the postmaster counts their CPU once it has reaped them.
  const end = performance.now();
  await sleep(500);
  const cores = coresUsed(cpu0, cpuSnapshot({}, end), ["postgres", "children"], { children: "pgbench" });
  const num = (re) => Number(re.exec(stdout)?.[1]);
  // Per-transaction log lines: client_id transaction_no time_us script_no time_epoch time_us_frac
  const latencies = [];
  let failed = 0;
  for (const log of readdirSync(dir).filter((f) => f.startsWith("tx"))) {
    for (const line of readFileSync(path.join(dir, log), "utf8").split("\n")) {
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
