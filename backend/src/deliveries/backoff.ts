export interface BackoffPolicy {
  /** Delay before the second attempt; each later one doubles, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** Attempts go on until this long after the delivery was created. */
  windowMs: number;
}

/** The longest `Retry-After` honoured; a receiver asking for more is retried after this. */
const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

/**
 * When to try again after failed attempt number `attempt`, or `undefined` to give up. Exponential with
 * "equal jitter" (half fixed, half random) so receivers coming back are not hit by every sender at once.
 * A `Retry-After` longer than the back-off is honoured (up to 6 h).
 * Retries continue while the window is open, so the last one falls at or after its end: deliveries are
 * retried for at least the whole window (24 h by default).
 */
export function nextAttemptAt(
  policy: BackoffPolicy,
  attempt: number,
  createdAt: Date,
  now: Date,
  retryAfterMs?: number,
  random: () => number = Math.random,
): Date | undefined {
  if (now.getTime() - createdAt.getTime() >= policy.windowMs) return undefined;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  const backoff = exponential / 2 + (random() * exponential) / 2;
  // `Retry-After` means "not before": it can lengthen the wait, never shorten it (a receiver answering
  // `Retry-After: 0` on every attempt must not be hammered for 24 hours).
  const delay = retryAfterMs !== undefined ? Math.max(backoff, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)) : backoff;
  return new Date(now.getTime() + Math.round(delay));
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with the day's name; Date.parse alone would read "-5" or "1.5" as a date in 2001.
  if (!/^\s*(mon|tue|wed|thu|fri|sat|sun)/i.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}
