import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Request, type RequestHandler } from "express";
import { authenticateSession } from "../http/auth";
import { assertAllowedHost } from "../http/host-check";
import type { AppDeps } from "../http/deps";
import { ApiError } from "../lib/api-error";
import { apiErrorOf } from "./errors";
import { requestIdOf } from "../http/request-context";
import { appRouter } from "./router";

export const CSRF_HEADER = "x-tracira-csrf";
/** The most calls one tRPC request may batch; the dashboard's client batches at most this many. */
export const TRPC_MAX_BATCH = 10;

/**
 * The dashboard's tRPC endpoint. CSRF: besides the SameSite=Lax cookie, every call must carry a custom
 * header (which a cross-site page cannot send without a CORS preflight this server never approves) and,
 * when the browser names an Origin, come from this server's own origin.
 */
export function dashboardApi(deps: AppDeps): express.Router {
  const api = express.Router();
  api.use(csrfGuard(deps.config));
  // Mutations write: refused while the embedded database's disk is nearly full (queries go on).
  api.use((req, _res, next) => {
    if (req.method === "GET") return next();
    deps.disk.assertWritable().then(() => next(), next);
  });
  api.use(
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: deps.config.maxBodyBytes,
      // One request is at most this many calls (a batch of 100 log-ins would run 100 password hashes).
      maxBatchSize: TRPC_MAX_BATCH,
      createContext: async ({ req, res }) => ({ deps, req, res, auth: await authenticateSession(req, deps) }),
      onError: ({ error, path, ctx }) => {
        const api = apiErrorOf(error);
        if (api.status >= 500) {
          deps.logger.error("procedure failed", {
            requestId: ctx ? requestIdOf(ctx.res) : undefined,
            path,
            error: error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : error.message,
          });
        }
      },
      // A 429's Retry-After (log-in attempts) reaches the browser as it does from the REST API.
      responseMeta: ({ errors }) => {
        const headers = errors.map((e) => apiErrorOf(e).headers).find(Boolean);
        return headers ? { headers: new Headers(headers) } : {};
      },
    }),
  );
  return api;
}

function csrfGuard(config: AppDeps["config"]): RequestHandler {
  const publicUrl = config.publicUrl;
  return (req, _res, next) => {
    assertAllowedHost(req, config);
    if (req.headers[CSRF_HEADER] !== "1") {
      throw new ApiError(
        "forbidden",
        `Dashboard calls need the header ${CSRF_HEADER}: 1 (the dashboard sends it); cross-site requests are refused.`,
      );
    }
    const origin = req.headers.origin;
    if (origin && !isOwnOrigin(origin, req, publicUrl)) {
      throw new ApiError("forbidden", "This request comes from another site; the dashboard only answers its own pages.");
    }
    next();
  };
}

function isOwnOrigin(origin: string, req: Request, publicUrl: string | undefined): boolean {
  try {
    const url = new URL(origin);
    if (publicUrl && url.origin === new URL(publicUrl).origin) return true;
    return url.host === req.headers.host;
  } catch {
    return false;
  }
}
