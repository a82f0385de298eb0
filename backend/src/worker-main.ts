import { ConfigError, loadConfig } from "./config";
import { openDatabase } from "./db/database";
import { migrate, MigrationError } from "./db/migrate";
import { createDeliveries } from "./deliveries";
import { createEvaluation } from "./evaluation";
import { createLogger } from "./logger";
import { createUrlGuard } from "./outbound";
import { createSecretBox } from "./secrets";
import { SettingsService } from "./services/settings";

/**
 * `npm run worker`: the evaluation worker and the delivery sender only, for scaling them apart from the
 * API (run the API with TRACIRA_WORKER=false). Any number may run against one Postgres; they share the
 * pending logs and the outbox.
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

  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  stop = () => db.close();
  await migrate(db.sql);
  const secrets = createSecretBox(config, logger);
  const guard = createUrlGuard(config.outbound);
  const settings = new SettingsService(db.prisma, secrets, guard);
  const delivery = createDeliveries(db.sql, config, logger, secrets, guard, (workspaceId) => settings.slackWebhookUrl(workspaceId));
  const evaluation = createEvaluation(db.sql, config, logger, (workspaceId) => settings.judgeSettings(workspaceId), delivery.outbox);
  stop = async () => {
    await evaluation.close();
    await delivery.close();
    await db.close();
  };
  evaluation.worker.start();
  delivery.sender.start();
  logger.info("evaluation worker and delivery sender started", { concurrency: config.evaluation.workerConcurrency });
}

main().catch((err: unknown) => {
  const expected = err instanceof ConfigError || err instanceof MigrationError;
  process.stderr.write(expected ? `${(err as Error).message}\n` : `Tracira worker could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
