import { loadConfig } from "../config";
import { openDatabase } from "../db/database";
import { rebuildLogCounts } from "../db/log-rollups";
import { migrate } from "../db/migrate";

/** Each statement may take long on a big logs table; the rebuild is not a request. */
const NO_LIMIT_MS = 3_600_000;

/**
 * `npm run db:rebuild-rollups`: recounts the log rollups from `logs` in one transaction (writes to logs
 * wait meanwhile) and prints the groups that were wrong. Nothing wrong prints "no change".
 */
async function run() {
  const config = loadConfig();
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 1,
    timeouts: { ...config.databaseTimeouts, statementMs: NO_LIMIT_MS, queryMs: NO_LIMIT_MS },
  });
  try {
    await migrate(db.sql);
    const started = Date.now();
    const changes = await rebuildLogCounts(db.sql);
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (changes.length === 0) {
      process.stdout.write(`Rollups rebuilt in ${took}: no change (they matched a fresh count of logs).\n`);
      return;
    }
    process.stdout.write(`Rollups rebuilt in ${took}: ${changes.length} group(s) corrected:\n`);
    for (const c of changes) {
      const task = c.taskName ? ` task ${JSON.stringify(c.taskName)}` : "";
      const decision = c.humanDecision ? ` ${c.humanDecision}` : "";
      process.stdout.write(
        `  workspace ${c.workspaceId} project ${c.projectId}${task} day ${c.day} created ${c.createdMonth} ${c.status}${decision}: ${c.was} -> ${c.now}\n`,
      );
    }
  } finally {
    await db.close();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
