import { randomUUID } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { AppDeps } from "./deps";

/** A caller's own request id is kept when it looks like one (a proxy's, a workflow run's); otherwise one is made. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const requestIdOf = (res: Response): string => res.locals.requestId as string;

/** Where a request went, for the metrics label: the route's pattern, the mount (`/trpc`), or "other" — never the raw path. */
function routeLabel(req: Request): string {
  const pattern = (req.route as { path?: string } | undefined)?.path;
  if (typeof pattern === "string") return `${req.baseUrl}${pattern}`;
  return req.baseUrl || "other";
}

/**
 * First on every request: gives it an id (`X-Request-Id`, echoed in the answer and in every log line
 * about it) and, when the answer is sent, counts it and its duration in the HTTP metrics.
 */
export function requestContext(deps: AppDeps): RequestHandler {
  return (req, res, next) => {
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && CALLER_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    // No answer of this server is ever to be sniffed into another type (JSON read as HTML, say).
    res.setHeader("X-Content-Type-Options", "nosniff");
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      deps.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      deps.metrics.httpDuration.observe({ method: req.method, route }, seconds);
      deps.logger.debug("request", { requestId: id, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) });
    });
    next();
  };
}
