import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { openDatabase, type Database } from "./db/database";
import { migrate } from "./db/migrate";
import { clearStaleDeliveryLeases } from "./deliveries/store";
import { clearStaleLeases } from "./evaluation/store";
import { createApp } from "./http/app";
import { webApp } from "./http/web-app";
import { dashboardApi } from "./trpc/middleware";
import type { AppDeps } from "./http/deps";
import { buildOpenApi } from "./http/openapi";
import { createLogger, type Logger } from "./logger";
import { routes } from "./routes";
import { createRateLimiter } from "./ratelimit";
import type { RateLimiter } from "./ratelimit/types";
import { createSecretBox } from "./secrets";
import { createServices } from "./services";
import type { CreatedWorkspace } from "./services/workspaces";

export interface RunningServer {
  url: string;
  deps: AppDeps;
  /** Set when this start created the first workspace. */
  bootstrapped: CreatedWorkspace | undefined;
  close(): Promise<void>;
}

const VERSION = "0.1.0";

/** Opens the database, applies migrations, creates the first workspace if none, and listens. */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const db: Database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  let rateLimiter: RateLimiter | undefined;
  try {
    const applied = await migrate(db.sql);
    if (applied.length) logger.info("applied migrations", { applied });
    if (db.kind === "pglite") {
      await clearStaleLeases(db.sql);
      await clearStaleDeliveryLeases(db.sql);
    }
    const limiter = (rateLimiter = createRateLimiter({ redisUrl: config.redisUrl, logger }));
    const services = createServices(db, config, logger, createSecretBox(config, logger), limiter);
    const bootstrapped = await services.workspaces.bootstrap(config.bootstrapWorkspaceName, config.bootstrapToken);

    let openapi: Record<string, unknown> | undefined;
    const deps: AppDeps = { config, logger, db, services, rateLimiter: limiter, openapi: () => (openapi ??= buildOpenApi(routes, VERSION)) };
    const app = createApp(deps, routes, [
      ["/trpc", dashboardApi(deps)],
      ["/", webApp()],
    ]);
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once("error", reject);
    });
    server.keepAliveTimeout = 65_000;
    if (config.evaluation.workerEnabled) services.evaluation.worker.start();
    if (config.deliveries.senderEnabled) services.delivery.sender.start();
    const { port } = server.address() as AddressInfo;
    const url = config.publicUrl ?? `http://${config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host}:${port}`;

    let closing: Promise<void> | undefined;
    return {
      url,
      deps,
      bootstrapped,
      close: () =>
        (closing ??= (async () => {
          await new Promise<void>((resolve) => {
            // A keep-alive connection that has just finished a response can still count as busy for a
            // moment; closing idle ones again until the server is closed keeps shutdown from waiting out
            // the keep-alive timeout.
            const sweep = setInterval(() => server.closeIdleConnections(), 100);
            server.close(() => {
              clearInterval(sweep);
              resolve();
            });
            server.closeIdleConnections();
          });
          await services.evaluation.close();
          await services.delivery.close();
          await limiter.close();
          await db.close();
        })()),
    };
  } catch (err) {
    await rateLimiter?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
}
