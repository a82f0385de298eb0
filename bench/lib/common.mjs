import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const RESULTS_DIR = path.join(ROOT, "bench/results");

/** Progress goes to stderr, so stdout holds only the results. */
export function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

/** `{ server: 0.8, postgres: 0.9 }` → "server 0.80, postgres 0.90". */
export const formatCores = (c) =>
  c
    ? Object.entries(c)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(", ")
    : "-";

/** Writes `bench/results/<name>-<stamp>.json` with the host's description added; returns the path. */
export function writeResults(name, stamp, result, postgres) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${stamp}.json`);
  const host = {
    cpus: os.cpus().length,
    load: os.loadavg(),
    node: process.version,
    postgres: postgres?.version,
    synchronousCommit: postgres?.sync,
  };
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), host, ...result }, null, 2) + "\n");
  return file;
}
