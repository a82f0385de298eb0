import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { ApiError } from "../lib/api-error";
import type { AppDeps } from "./deps";

/**
 * `GET /metrics` in the Prometheus text format. Off unless TRACIRA_METRICS_TOKEN is set, and then only
 * for `Authorization: Bearer <that token>`: queue depths and request counts say how busy a deployment is.
 */
export function metricsEndpoint(deps: AppDeps): RequestHandler {
  const token = deps.config.metricsToken;
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return (req, res, next) => {
    if (req.method !== "GET" || req.path !== "/") return next();
    if (!expected) {
      throw new ApiError("not_found", "Metrics are off on this server: set TRACIRA_METRICS_TOKEN to turn GET /metrics on.");
    }
    const given = Buffer.from(req.headers.authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError("unauthorized", "GET /metrics needs Authorization: Bearer <TRACIRA_METRICS_TOKEN>.");
    }
    deps.metrics.text().then(
      (text) => res.type(deps.metrics.contentType).send(text),
      (err: unknown) => next(err),
    );
  };
}
