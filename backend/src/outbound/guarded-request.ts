import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { Readable } from "node:stream";
import { hostOf, OutboundUrlError, type UrlGuard } from "./url-guard";

export interface OutboundRequest {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole request deadline including redirects and reading headers (default 10_000). */
  timeoutMs?: number;
  /**
   * Default 5. Every hop is checked by the guard again (scheme + address). 307/308 repeat the
   * method and body; 301/302/303 continue as GET without a body.
   */
  maxRedirects?: number;
  /** Aborts the exchange; it keeps applying to the response body after the headers arrived. */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The final URL after redirects. */
  url: string;
  /** The body stream; callers must consume or destroy it. */
  body: Readable;
}

/** No answer in time. Retryable. */
export class OutboundTimeoutError extends Error {
  override name = "OutboundTimeoutError";
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that never follow a redirect to another origin. */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"]);
const BODY_HEADERS = new Set(["content-type", "content-length", "content-encoding", "transfer-encoding"]);

/**
 * Sends one request through the guard: refuses blocked URLs, connects only to allowed addresses,
 * follows redirects re-checking each hop, and rejects with OutboundTimeoutError when the final
 * response headers are not in within `timeoutMs` (also when the server accepts and never answers).
 */
export async function guardedRequest(guard: UrlGuard, url: string, req: OutboundRequest): Promise<OutboundResponse> {
  const timeoutMs = req.timeoutMs ?? 10_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new OutboundTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal;
  let response: OutboundResponse;
  try {
    response = await follow(guard, url, req, signal);
  } finally {
    clearTimeout(timer);
  }
  if (req.signal) abortBodyWith(response.body, req.signal);
  return response;
}

async function follow(guard: UrlGuard, url: string, req: OutboundRequest, signal: AbortSignal): Promise<OutboundResponse> {
  const maxRedirects = req.maxRedirects ?? 5;
  let target = guard.parse(url, "url");
  let method = req.method;
  let body = req.body;
  let headers = { ...req.headers };
  for (let redirects = 0; ; redirects++) {
    const res = await sendOnce(guard, target, method, headers, body, signal);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECTS.has(status) || !location) {
      return { status, headers: res.headers, url: target.href, body: res };
    }
    res.destroy();
    if (redirects >= maxRedirects) {
      throw new OutboundUrlError(`${url} redirected more than ${maxRedirects} times.`, "too_many_redirects");
    }
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw new OutboundUrlError(`${target.href} redirected to an invalid URL.`, "malformed");
    }
    next = guard.parse(next.href, "redirect target");
    if (status !== 307 && status !== 308 && method !== "GET") {
      method = "GET";
      body = undefined;
      headers = without(headers, BODY_HEADERS);
    }
    if (next.origin !== target.origin) headers = without(headers, CREDENTIAL_HEADERS);
    target = next;
  }
}

function sendOnce(
  guard: UrlGuard,
  target: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const host = hostOf(target);
    const request = (target.protocol === "https:" ? https : http).request({
      protocol: target.protocol,
      hostname: host,
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method,
      headers,
      // Node calls `lookup` only for names; IP literals were checked by guard.parse.
      lookup: guard.lookup,
      // A fresh connection per request: a pooled socket would skip `lookup` and its check.
      agent: false,
      servername: isIP(host) ? undefined : host,
    });
    const onAbort = () => request.destroy(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
    request.on("response", (res) => {
      signal.removeEventListener("abort", onAbort);
      resolve(res);
    });
    request.end(body);
  });
}

function abortBodyWith(body: Readable, signal: AbortSignal): void {
  const onAbort = () => {
    body.destroy(signal.reason);
  };
  if (signal.aborted) return onAbort();
  signal.addEventListener("abort", onAbort, { once: true });
  body.once("close", () => signal.removeEventListener("abort", onAbort));
}

function without(headers: Record<string, string>, names: Set<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name.toLowerCase())));
}

/** The body was larger than the caller accepts. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`response body is larger than ${maxBytes} bytes`);
  }
}

/** Reads a body stream to a Buffer; past `maxBytes` it destroys the stream and rejects with BodyTooLargeError. */
export function readLimited(body: Readable, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer | string) => {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > maxBytes) {
        const error = new BodyTooLargeError(maxBytes);
        body.destroy();
        reject(error);
        return;
      }
      chunks.push(buf);
    });
    body.on("end", () => resolve(Buffer.concat(chunks)));
    body.on("error", reject);
    body.on("close", () => reject(new Error("response body closed before its end")));
  });
}
