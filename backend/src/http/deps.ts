import type { Config } from "../config";
import type { Database } from "../db/database";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { RateLimiter } from "../ratelimit/types";
import type { RequestServices } from "../services";
import type { DiskGuard } from "../db/disk-guard";

/** What route handlers can reach. Built once per server. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Database;
  services: RequestServices;
  /** Queue and request metrics, shown at `GET /metrics`. */
  metrics: Metrics;
  /** Sliding-window counters shared by every instance (Redis), or per process without Redis. */
  rateLimiter: RateLimiter;
  /** Refuses writes while the embedded database's disk is nearly full. */
  disk: DiskGuard;
  /** The OpenAPI document (built once, on first request). */
  openapi: () => Record<string, unknown>;
}
