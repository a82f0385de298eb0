import { ConfigError, loadConfig } from "./config";
import { MigrationError } from "./db/migrate";
import { createLogger } from "./logger";
import { openRuntime } from "./runtime";

/**
 * `npm run worker`: the evaluation worker, the delivery sender and the retention purge only, for scaling
 * them apart from the API (run the API with TRACIRA_WORKER=false). Any number may run against one
 * Postgres; they share the pending logs and the outbox, and their purges split the expired logs.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (!config.databaseUrl) {
    throw new ConfigError(
      "npm run worker needs DATABASE_URL: the embedded database belongs to one process, and `npm start` already evaluates logs in it.",
    );
  }
  // Listening from the first moment: a stop asked for during start-up (a deploy rolling on) exits cleanly too.
  let stop: () => Promise<void> = async () => undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      logger.info(`received ${signal}, finishing evaluations in flight`);
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }

  const runtime = await openRuntime(config, logger);
  stop = () => runtime.close();
  runtime.evaluation.worker.start();
  runtime.delivery.sender.start();
  runtime.retention.start();
  runtime.rollups.start();
  logger.info("evaluation worker and delivery sender started", {
    concurrency: config.evaluation.workerConcurrency,
    retentionIntervalMs: config.retention.intervalMs,
  });
}

main().catch((err: unknown) => {
  const expected = err instanceof ConfigError || err instanceof MigrationError;
  process.stderr.write(
    expected
      ? `${(err as Error).message}\n`
      : `Tracira worker could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
