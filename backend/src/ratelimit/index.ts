import type { Logger } from "../logger";
import { FailoverLimiter } from "./failover-limiter";
import { MemoryWindow } from "./memory-window";
import type { RateLimiter } from "./types";

export type { RateDecision, RateLimiter } from "./types";
export { MemoryWindow } from "./memory-window";
export { RedisWindow } from "./redis-window";
export { FailoverLimiter } from "./failover-limiter";

/** Redis-backed (with in-memory fallback) when a Redis URL is given; in-memory only otherwise. */
export function createRateLimiter({ redisUrl, logger }: { redisUrl?: string; logger: Logger }): RateLimiter {
  if (!redisUrl) {
    logger.info("rate limiter: no Redis URL, limits are counted per instance");
    return new MemoryWindow();
  }
  return new FailoverLimiter(redisUrl, logger);
}
