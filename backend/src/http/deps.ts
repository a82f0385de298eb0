import type { Config } from "../config";
import type { Database } from "../db/database";
import type { Logger } from "../logger";
import type { RateLimiter } from "../ratelimit/types";
import type { Services } from "../services";

/** What route handlers can reach. Built once per server. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Database;
  services: Services;
  /** Sliding-window counters shared by every instance (Redis), or per process without Redis. */
  rateLimiter: RateLimiter;
  /** The OpenAPI document (built once, on first request). */
  openapi: () => Record<string, unknown>;
}
