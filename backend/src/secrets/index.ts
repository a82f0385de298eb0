import type { Config } from "../config";
import type { Logger } from "../logger";
import { SecretBox } from "./secret-box";
import { loadOrCreateKeyFile } from "./secret-key";

/** The server's secret box: TRACIRA_SECRET_KEY, else a key kept in the data folder. */
export function createSecretBox(config: Config, logger: Logger): SecretBox {
  if (config.secretKey) return new SecretBox(config.secretKey);
  const { key, file, created } = loadOrCreateKeyFile(config.dataDir);
  if (created) logger.info("created the key that encrypts stored secrets", { file });
  if (config.databaseUrl) {
    // With Postgres, other instances need the same key; a key only on this machine's disk is fragile.
    logger.warn(`secrets are encrypted with the key in ${file}; set TRACIRA_SECRET_KEY (the same on every instance) and keep it safe`);
  }
  return new SecretBox(key);
}
