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
  // One deadline for the whole exchange, the answer's body included: a receiver that trickles its answer
  // cannot hold a sender (or outlive the claim's lease).
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  const noAnswer = () => failed(null, `no answer within ${timeoutMs / 1000} s`, true);
  let res;
  try {
    res = await guardedRequest(guard, url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Tracira-Deliveries/1.0", ...headers },
      body,
      timeoutMs,
      signal: deadline,
    });
  } catch (err) {
    if (err instanceof OutboundUrlError) return failed(null, `refused: ${err.message}`, false);
    if (err instanceof OutboundTimeoutError || (deadline.aborted && !signal.aborted)) return noAnswer();
    return failed(null, `could not connect: ${(err as Error).message}`, true);
  }
  const status = res.status;
  if (status >= 200 && status < 300) {
    res.body.destroy(); // accepted: what else it says does not matter
    return { ok: true, responseStatus: status, error: null, retryable: false };
  }
  // A short excerpt of the receiver's answer helps whoever reads the attempt log; the rest is discarded.
  let excerpt = "";
  try {
    excerpt = (await readLimited(res.body, 64 * 1024)).toString("utf8").slice(0, 300).trim();
  } catch {
    // Too long or broken off: the status decides. Only a deadline passing mid-body counts as no answer.
    if (deadline.aborted && !signal.aborted) return noAnswer();
  }
  const said = excerpt ? `: ${excerpt}` : "";
  if (status === 410) return { ...failed(status, `the receiver answered 410 Gone${said}`, false), gone: true };
  if (status === 429 || status >= 500) {
    // A receiver saying when to come back (429, 503 during maintenance) is taken at its word.
    const retryAfterMs = parseRetryAfter(res.headers["retry-after"], new Date());
    return {
      ...failed(status, `the receiver answered ${status}${status === 429 ? " Too Many Requests" : ""}${said}`, true),
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    };
  }
  if (status >= 300 && status < 400) return failed(status, `the receiver answered a redirect (${status}) that was not followed`, false);
  return failed(status, `the receiver answered ${status}${said}; not retried (fix the receiver, then send the log again)`, false);
}

function failed(responseStatus: number | null, error: string, retryable: boolean): SendOutcome {
  return { ok: false, responseStatus, error, retryable };
}
