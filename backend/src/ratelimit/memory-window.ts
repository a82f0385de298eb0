import type { RateDecision, RateLimiter } from "./types";

export interface MemoryWindowOptions {
  /**
   * Most keys kept; past it, windows that have emptied go first, then the least recently hit key that is
   * not at its limit: filling the map with new keys cannot make it forget a key it is refusing.
   */
  maxKeys?: number;
  /** How often (at most) a hit sweeps out keys whose requests have all left their window. */
  sweepIntervalMs?: number;
}

interface Log {
  /** Times of the counted requests, oldest first; never longer than the limit. */
  stamps: number[];
  windowMs: number;
  limit: number;
}

/** An exact sliding log per key, in this process only. */
export class MemoryWindow implements RateLimiter {
  private readonly logs = new Map<string, Log>();
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;
  private nextSweepAt = 0;

  constructor({ maxKeys = 10_000, sweepIntervalMs = 10_000 }: MemoryWindowOptions = {}) {
    this.maxKeys = maxKeys;
    this.sweepIntervalMs = sweepIntervalMs;
  }

  /** Keys currently held (for tests and metrics). */
  get size(): number {
    return this.logs.size;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return this.hitAt(key, limit, windowMs, Date.now());
  }

  hitAt(key: string, limit: number, windowMs: number, now: number): RateDecision {
    if (now >= this.nextSweepAt) this.sweep(now);
    let log = this.logs.get(key);
    if (log) {
      // Re-inserting keeps the map ordered by last hit, so eviction drops the least recently hit key.
      this.logs.delete(key);
    } else {
      if (this.logs.size >= this.maxKeys) this.evict(now);
      log = { stamps: [], windowMs, limit };
    }
    log.windowMs = windowMs;
    log.limit = limit;
    this.logs.set(key, log);

    const { stamps } = log;
    // Same boundary as the Redis script: a request at t counts while t > now - window.
    let expired = 0;
    while (expired < stamps.length && stamps[expired]! <= now - windowMs) expired++;
    if (expired) stamps.splice(0, expired);

    const allowed = stamps.length < limit;
    if (allowed) stamps.push(now);
    const oldest = stamps[0];
    return {
      allowed,
      limit,
      remaining: allowed ? limit - stamps.length : 0,
      resetAt: oldest === undefined ? now + windowMs : oldest + windowMs,
    };
  }

  /** Drops keys whose newest counted request has left its window. */
  sweep(now = Date.now()): void {
    this.nextSweepAt = now + this.sweepIntervalMs;
    for (const [key, { stamps, windowMs }] of this.logs) {
      const newest = stamps[stamps.length - 1];
      if (newest === undefined || newest <= now - windowMs) this.logs.delete(key);
    }
  }

  private evict(now: number): void {
    this.sweep(now);
    if (this.logs.size < this.maxKeys) return;
    for (const [key, { stamps, windowMs, limit }] of this.logs) {
      const counted = stamps.filter((t) => t > now - windowMs).length;
      if (counted < limit) {
        this.logs.delete(key);
        return;
      }
    }
    // Every key is at its limit: the least recently hit one goes.
    const first = this.logs.keys().next();
    if (!first.done) this.logs.delete(first.value);
  }

  async close(): Promise<void> {
    this.logs.clear();
  }
}
