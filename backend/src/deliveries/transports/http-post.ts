import { guardedRequest, OutboundTimeoutError, OutboundUrlError, readLimited, type UrlGuard } from "../../outbound";
import { parseRetryAfter } from "../backoff";
import type { SendOutcome } from "./types";

/**
 * POSTs a JSON body through the outbound guard and classifies the answer: 2xx delivered; 429, 5xx,
 * timeouts and network errors retried; `410 Gone` stops; any other answer fails for good (retrying a 400
 * or 404 would only repeat it). One function for callbacks, hooks, webhooks and Slack.
 */
export async function postJson(
  guard: UrlGuard,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<SendOutcome> {
  let res;
  try {
    res = await guardedRequest(guard, url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Tracira-Deliveries/1.0", ...headers },
      body,
      timeoutMs,
      signal,
    });
  } catch (err) {
    if (err instanceof OutboundUrlError) return failed(null, `refused: ${err.message}`, false);
    if (err instanceof OutboundTimeoutError) return failed(null, `no answer within ${timeoutMs / 1000} s`, true);
    return failed(null, `could not connect: ${(err as Error).message}`, true);
  }
  // A short excerpt of the receiver's answer helps whoever reads the attempt log; the rest is discarded.
  const excerpt = await readLimited(res.body, 64 * 1024).then(
    (b) => b.toString("utf8").slice(0, 300).trim(),
    () => "",
  );
  const status = res.status;
  if (status >= 200 && status < 300) return { ok: true, responseStatus: status, error: null, retryable: false };
  const said = excerpt ? `: ${excerpt}` : "";
  if (status === 410) return { ...failed(status, `the receiver answered 410 Gone${said}`, false), gone: true };
  if (status === 429) {
    return { ...failed(status, `the receiver answered 429 Too Many Requests${said}`, true), retryAfterMs: parseRetryAfter(res.headers["retry-after"], new Date()) };
  }
  if (status >= 500) return failed(status, `the receiver answered ${status}${said}`, true);
  if (status >= 300 && status < 400) return failed(status, `the receiver answered a redirect (${status}) that was not followed`, false);
  return failed(status, `the receiver answered ${status}${said}; not retried (fix the receiver, then send the log again)`, false);
}

function failed(responseStatus: number | null, error: string, retryable: boolean): SendOutcome {
  return { ok: false, responseStatus, error, retryable };
}
