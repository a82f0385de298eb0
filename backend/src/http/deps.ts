import type { Config } from "../config";
import type { Database } from "../db/database";
import type { Logger } from "../logger";
import type { Services } from "../services";

/** What route handlers can reach. Built once per server. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Database;
  services: Services;
  /** The OpenAPI document (built once, on first request). */
  openapi: () => Record<string, unknown>;
}
