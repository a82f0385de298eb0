import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../logger";
import { MemoryWindow } from "./memory-window";
import { RedisWindow, closeRedis } from "./redis-window";
import type { RateDecision, RateLimiter } from "./types";

/** Options that make a Redis failure cost a request milliseconds, never a wait. */
export const REDIS_OPTIONS: RedisOptions = {
  // Connect now so the first requests already share the window.
  lazyConnect: false,
  // While not connected, commands fail at once instead of queueing (hit() does not even send them then).
  enableOfflineQueue: false,
  // A command in flight when the connection drops fails at once instead of being resent after a reconnect.
  maxRetriesPerRequest: 0,
  // A connected but unresponsive Redis (paused, overloaded, half-open socket) costs at most this per request…
  commandTimeout: 250,
  // …and drops the socket after this long without a reply, so later requests go to memory without waiting.
  socketTimeout: 2_000,
  connectTimeout: 2_000,
  // Keep reconnecting in the background (never give up) so limits are shared again as soon as Redis is back.
  retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000) + Math.floor(Math.random() * 100),
};

/**
 * Limits in Redis while its connection is usable, in this process's memory otherwise.
 * An outage is logged once (warn) and the return once (info); hit() never throws because of Redis.
 */
export class FailoverLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly shared: RedisWindow;
  private readonly local: MemoryWindow;
  private down = false;
  private closing = false;

  constructor(
    redisUrl: string,
    private readonly logger: Logger,
    { local = new MemoryWindow(), redisOptions = {} }: { local?: MemoryWindow; redisOptions?: RedisOptions } = {},
  ) {
    this.local = local;
    this.redis = new Redis(redisUrl, { ...REDIS_OPTIONS, ...redisOptions });
    this.shared = new RedisWindow(this.redis);
    // Without an error listener ioredis prints every failed reconnect attempt to the console.
    this.redis.on("error", (err: Error) => this.markDown(err.message));
    this.redis.on("close", () => this.markDown("connection closed"));
    this.redis.on("ready", () => this.markUp());
  }

  /** True while hits are counted in Redis. */
  get usingRedis(): boolean {
    return this.redis.status === "ready" && !this.down;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    if (this.redis.status === "ready") {
      try {
        const decision = await this.shared.hit(key, limit, windowMs);
        this.markUp();
        return decision;
      } catch (err) {
        this.markDown(err instanceof Error ? err.message : String(err));
      }
    }
    return this.local.hit(key, limit, windowMs);
  }

  async close(): Promise<void> {
    this.closing = true;
    await closeRedis(this.redis);
    await this.local.close();
  }

  private markDown(reason: string): void {
    if (this.down || this.closing) return;
    this.down = true;
    this.logger.warn(
      "rate limiter: Redis unavailable, limiting per instance in memory until it is back (limits are not shared meanwhile)",
      { reason },
    );
  }

  private markUp(): void {
    if (!this.down || this.closing) return;
    this.down = false;
    this.logger.info("rate limiter: Redis is back, limits are shared across instances again");
  }
}
