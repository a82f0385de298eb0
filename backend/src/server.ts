import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { createApp } from "./http/app";
import { closeConnectionsWhileDraining, drainConnections } from "./http/drain";
import { withDeadline } from "./lib/deadline";
import type { AppDeps } from "./http/deps";
import { metricsEndpoint } from "./http/metrics-endpoint";
import { buildOpenApi } from "./http/openapi";
import { webApp } from "./http/web-app";
import { createLogger, type Logger } from "./logger";
import { createRateLimiter } from "./ratelimit";
import type { RateLimiter } from "./ratelimit/types";
import { routes } from "./routes";
import { createRequestServices, openRuntime, type Runtime } from "./runtime";
import type { CreatedWorkspace } from "./services/workspaces";
import { dashboardApi } from "./trpc/middleware";

export interface RunningServer {
  url: string;
  deps: AppDeps;
  runtime: Runtime;
  /** Set when this start created the first workspace. */
  bootstrapped: CreatedWorkspace | undefined;
  close(): Promise<void>;
}

const VERSION = "0.1.0";

/** Opens the runtime (database migrated), creates the first workspace if none, and listens. */
export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const runtime = await openRuntime(config, logger);
  let rateLimiter: RateLimiter | undefined;
  try {
    const limiter = (rateLimiter = createRateLimiter({ redisUrl: config.redisUrl, logger }));
    const services = createRequestServices(runtime, limiter);
    const bootstrapped = await services.workspaces.bootstrap(config.bootstrapWorkspaceName, config.bootstrapToken);

    let openapi: Record<string, unknown> | undefined;
    const deps: AppDeps = {
      config,
      logger,
      db: runtime.db,
      services,
      metrics: runtime.metrics,
      disk: runtime.disk,
      rateLimiter: limiter,
      openapi: () => (openapi ??= buildOpenApi(routes, VERSION)),
    };
    const draining = { value: false };
    const app = createApp(deps, routes, [
      ["/trpc", dashboardApi(deps)],
      ["/metrics", metricsEndpoint(deps)],
      ["/", webApp()],
    ]);
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once("error", reject);
    });
    server.keepAliveTimeout = 65_000;
    closeConnectionsWhileDraining(server, draining);
    runtime.startLoops();
    const { port } = server.address() as AddressInfo;
    const url = config.publicUrl ?? `http://${config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host}:${port}`;

    let closing: Promise<void> | undefined;
    return {
      url,
      deps,
      runtime,
      bootstrapped,
      close: () =>
        (closing ??= (async () => {
          const deadline = Date.now() + config.shutdownTimeoutMs;
          draining.value = true;
          runtime.evaluation.gate.stopWaiting();
          await drainConnections(server, deadline);
          await withDeadline(runtime.close(), Math.max(0, deadline - Date.now()), "closing the runtime").catch((err: unknown) =>
            logger.warn("shutdown deadline reached; in-flight work is left to its leases", { error: String(err) }),
          );
          await limiter.close();
        })()),
    };
  } catch (err) {
    await rateLimiter?.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    throw err;
  }
}
