import type { Response } from "express";
import type { AuthContext } from "./auth";
import type { AppDeps } from "./deps";
import { ApiError } from "../lib/api-error";
import type { RouteDef } from "./route";

const WINDOW_MS = 60_000;

/**
 * Counts the request against its route's bucket for the caller's workspace (a sliding minute shared by
 * every instance through Redis), sets the X-RateLimit-* headers, and refuses it past the limit with the
 * reference's 429.
 */
export async function enforceRateLimit(route: RouteDef, auth: AuthContext | undefined, res: Response, deps: AppDeps): Promise<void> {
  const limit = deps.config.rateLimitPerMinute;
  if (!route.rateLimit || !auth || limit === 0) return;
  const decision = await deps.rateLimiter.hit(`${route.rateLimit}:${auth.workspaceId}`, limit, WINDOW_MS);
  res.set({
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    // Unix seconds when the oldest counted request leaves the window, i.e. when one more is allowed.
    "X-RateLimit-Reset": String(Math.ceil(decision.resetAt / 1000)),
  });
  if (!decision.allowed) {
    throw new ApiError("rate_limited", "Too many requests. Please slow down and try again shortly.", undefined, { "Retry-After": "60" });
  }
}
