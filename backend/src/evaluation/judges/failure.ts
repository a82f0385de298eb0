/** Why one attempt at a judgement failed, independent of the provider's SDK. */
export type Failure =
  /** The provider answered with an HTTP error. */
  | { kind: "http"; status: number; retryAfterMs: number | null; shouldRetry: boolean | null; message: string }
  /** The provider could not be reached (DNS, refused connection, reset…). */
  | { kind: "network"; message: string }
  /** The answer arrived but held no usable verdict. */
  | { kind: "malformed"; message: string }
  /** One attempt ran past its own time budget (the judgement may still have time left). */
  | { kind: "attempt_timeout" }
  /** The judgement's overall deadline passed. */
  | { kind: "deadline" }
  /** The caller aborted the judgement. */
  | { kind: "cancelled" }
  /** Anything else (a bug, an SDK refusing its options…): not retried. */
  | { kind: "unexpected"; message: string };

export class JudgeFailure extends Error {
  constructor(readonly failure: Failure) {
    super("message" in failure ? failure.message : failure.kind);
  }
}

interface SdkApiError extends Error {
  status: number | undefined;
  headers: Headers | undefined;
  error: unknown;
}

/** The error classes both SDKs export (they are generated from the same template). */
export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => SdkApiError;
}

/** Maps an error thrown by an SDK call to a Failure. */
export function failureFromSdkError(err: unknown, sdk: SdkErrorClasses): Failure {
  if (err instanceof JudgeFailure) return err.failure;
  if (err instanceof sdk.APIError) {
    // Connection errors (and timeouts, and aborts) are APIErrors without a status.
    if (err.status === undefined) return { kind: "network", message: withCause(err) };
    return {
      kind: "http",
      status: err.status,
      retryAfterMs: retryAfterMs(err.headers),
      shouldRetry: shouldRetryHeader(err.headers),
      message: providerMessage(err),
    };
  }
  return { kind: "unexpected", message: err instanceof Error ? err.message : String(err) };
}

/** The provider's own sentence: OpenAI bodies are `{error: {message}}`, Anthropic's `{type, error: {message}}`. */
function providerMessage(err: SdkApiError): string {
  const body = err.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const message = body?.error?.message ?? body?.message;
  return typeof message === "string" ? message : err.message.replace(/^\d{3}\s*/, "");
}

function withCause(err: Error): string {
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  return detail ? `${err.message} (${detail})` : err.message;
}

/** `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get("retry-after");
  if (!raw) return null;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

/** Both providers send `x-should-retry` when they know better than the status code (e.g. a 429 for an exhausted quota). */
function shouldRetryHeader(headers: Headers | undefined): boolean | null {
  const value = headers?.get("x-should-retry");
  return value === "true" ? true : value === "false" ? false : null;
}
