import type { AbortScope } from "./abort-scope";
import { JudgeFailure, type Failure } from "./failure";

export interface RetryPolicy {
  /** Retries after transient failures (429, 408, 5xx, network errors, attempt timeouts). */
  maxRetries: number;
  /** Retries after an answer without a valid verdict. */
  malformedRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A provider's `retry-after` is honoured up to this. */
  maxRetryAfterMs: number;
  attemptTimeoutMs: number;
}

export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  /** `failure` ends the judgement; `previous` is the attempt failure before it, when the deadline cut in. */
  | { ok: false; failure: Failure; previous: Failure | null; attempts: number };

/**
 * Runs `attempt` until it succeeds, a failure is not worth retrying, the retries are spent, or the
 * scope's deadline passes. Each attempt gets its own signal (its timeout, the deadline, the caller).
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  scope: AbortScope,
): Promise<RetryOutcome<T>> {
  let attempts = 0;
  let transient = 0;
  let malformed = 0;
  let previous: Failure | null = null;
  for (;;) {
    attempts++;
    const result = await runAttempt(attempt, policy.attemptTimeoutMs, scope);
    if (result.ok) return { ok: true, value: result.value, attempts };
    const failure = result.failure;
    const stop = (): RetryOutcome<T> => ({ ok: false, failure, previous, attempts });
    if (failure.kind === "deadline" || failure.kind === "cancelled") return stop();
    let delay: number;
    if (failure.kind === "malformed" && malformed < policy.malformedRetries) {
      malformed++;
      delay = 0;
    } else if (isTransient(failure) && transient < policy.maxRetries) {
      delay = backoffMs(transient, failure, policy);
      transient++;
    } else {
      return stop();
    }
    // Sleeping into the deadline would only turn a precise error into a vague timeout.
    if (delay > 0 && delay >= scope.remainingMs()) return stop();
    previous = failure;
    try {
      await scope.sleep(delay);
    } catch (err) {
      return { ok: false, failure: asFailure(err), previous, attempts };
    }
  }
}

async function runAttempt<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  scope: AbortScope,
): Promise<{ ok: true; value: T } | { ok: false; failure: Failure }> {
  const child = scope.child(timeoutMs);
  try {
    return { ok: true, value: await child.race(attempt(child.signal)) };
  } catch (err) {
    // An SDK aborted by our signal reports a generic abort; the scope knows which timer fired.
    return { ok: false, failure: child.cause ? { kind: child.cause } : asFailure(err) };
  } finally {
    child.dispose();
  }
}

function asFailure(err: unknown): Failure {
  if (err instanceof JudgeFailure) return err.failure;
  return { kind: "unexpected", message: err instanceof Error ? err.message : String(err) };
}

export function isTransient(failure: Failure): boolean {
  switch (failure.kind) {
    case "network":
    case "attempt_timeout":
      return true;
    case "http":
      if (failure.shouldRetry === false) return false;
      return failure.status === 408 || failure.status === 429 || failure.status >= 500;
    default:
      return false;
  }
}

/** Exponential back-off with jitter (half fixed, half random), or the provider's `retry-after`, capped. */
export function backoffMs(retryIndex: number, failure: Failure, policy: RetryPolicy): number {
  if (failure.kind === "http" && failure.retryAfterMs !== null) return Math.min(failure.retryAfterMs, policy.maxRetryAfterMs);
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return exponential / 2 + Math.random() * (exponential / 2);
}
