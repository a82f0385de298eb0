import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDatabase, dropDatabase, serverVersion } from "./db.mjs";
import { aborted, handleSignals, stopAll } from "./procs.mjs";

/**
 * Runs one benchmark: `body({ stamp, database, tmp, postgres })` gets a fresh database and a temp folder.
 * Afterwards, also on failure or Ctrl-C, every process started through procs.mjs is stopped, the database
 * dropped and the folder removed. A thrown error sets exit code 1 (130 when interrupted).
 * `reuse`: run on that existing database instead (never dropped); `keep`: leave the fresh one in place.
 */
export async function runBench(body, { reuse, keep = false } = {}) {
  handleSignals();
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const database = reuse ?? `tracira_bench_${stamp}_${randomBytes(3).toString("hex")}`;
  const tmp = mkdtempSync(path.join(os.tmpdir(), "tracira-bench-"));
  let failure;
  try {
    const postgres = reuse ? await serverVersion() : await createDatabase(database);
    await body({ stamp, database, tmp, postgres });
  } catch (err) {
    failure = err;
  } finally {
    await stopAll();
    // Also when CREATE DATABASE itself failed: the drop is IF EXISTS.
    if (!reuse && !keep) {
      await dropDatabase(database).catch((e) => console.error(`could not drop database ${database}: ${e.message}`));
    }
    rmSync(tmp, { recursive: true, force: true });
  }
  if (aborted) {
    console.error("interrupted; processes are stopped and the database dropped");
    process.exitCode = 130;
  } else if (failure) {
    console.error(`bench failed: ${failure instanceof Error ? failure.message : String(failure)}`);
    process.exitCode = 1;
  }
}
