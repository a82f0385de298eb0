import { ConfigError, loadConfig } from "./config";
import { DataDirLockedError } from "./db/pglite-lock";
import { MigrationError } from "./db/migrate";
import { createLogger } from "./logger";
import { startServer, type RunningServer } from "./server";

/** `npm start`: the server, with a first-run banner that tells the user how to send a log. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger);
  printBanner(running, config.databaseUrl ? "Postgres (DATABASE_URL)" : `embedded PGlite in ${config.dataDir}`);

  const stop = (signal: string) => {
    logger.info(`received ${signal}, shutting down`);
    // The drain keeps to TRACIRA_SHUTDOWN_TIMEOUT_MS; should anything still hold the process, it ends anyway.
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 2_000).unref();
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function printBanner(running: RunningServer, database: string) {
  const lines = [``, `Tracira is running at ${running.url}`, `Database: ${database}`];
  const ws = running.bootstrapped;
  if (ws) {
    lines.push(
      ``,
      `Created workspace "${ws.name}". Its webhook token (shown only now, keep it safe):`,
      ``,
      `  ${ws.token}`,
      ``,
      `Send your first output:`,
      ``,
      `  curl -X POST ${running.url}/api/logs \\`,
      `    -H "Authorization: Bearer ${ws.token}" \\`,
      `    -H "Content-Type: application/json" \\`,
      `    -d '{"project": "my-first-project", "output": "Here is my AI-generated response."}'`,
    );
  } else {
    lines.push(`Use the workspace token printed on the first start (Authorization: Bearer wh-…).`);
  }
  lines.push(
    ``,
    ws ? `Dashboard: ${running.url}/ (sign up with the token above to become the workspace's admin)` : `Dashboard: ${running.url}/`,
    `API reference: ${running.url}/api/openapi.json`,
    ``,
  );
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof MigrationError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Tracira could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
