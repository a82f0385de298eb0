/** The outcome of one request against a sliding-window limit. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** epoch ms when the oldest counted request leaves the window (a slot frees) — or now + window when none counted */
  resetAt: number;
}

export interface RateLimiter {
  /** Counts one request for `key` if it fits: at most `limit` counted requests in any `windowMs`. Denied requests are not counted. */
  hit(key: string, limit: number, windowMs: number): Promise<RateDecision>;
  close(): Promise<void>;
}
