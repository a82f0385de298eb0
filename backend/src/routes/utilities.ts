import { HealthResponse, MODEL_PRESETS, ModelsResponse, VerifyResponse } from "@tracira/shared";
import { z } from "zod";
import { defineRoute } from "../http/route";
import { withDeadline } from "../lib/deadline";

/** /readyz answers within this even when the database hangs (a load balancer's probe must not wait). */
const READY_TIMEOUT_MS = 2_000;

export const utilityRoutes = [
  defineRoute({
    method: "get",
    path: "/api/verify",
    tag: "Utilities",
    summary: "Verify a webhook token",
    auth: "token",
    rateLimit: "verify",
    response: VerifyResponse,
    handler: ({ auth }) => ({ workspaceName: auth.workspaceName }),
  }),
  defineRoute({
    method: "get",
    path: "/api/models",
    tag: "Utilities",
    summary: "List preset model names (public; used by the Make app)",
    auth: "public",
    response: ModelsResponse,
    handler: () => [...MODEL_PRESETS],
  }),
  defineRoute({
    method: "get",
    path: "/healthz",
    tag: "Health",
    summary: "Liveness: the process answers",
    auth: "public",
    response: HealthResponse,
    handler: () => ({ ok: true }),
  }),
  defineRoute({
    method: "get",
    path: "/readyz",
    tag: "Health",
    summary: "Readiness: the database answers",
    auth: "public",
    response: HealthResponse,
    handler: async ({ deps, res }) => {
      try {
        await withDeadline(deps.db.sql.query("SELECT 1"), READY_TIMEOUT_MS);
        return { ok: true, database: "ok" as const };
      } catch {
        res.status(503).json({ ok: false, database: "down" });
        return undefined;
      }
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/openapi.json",
    tag: "Utilities",
    summary: "This API's OpenAPI 3.1 document, generated from its contracts",
    auth: "public",
    response: z.record(z.string(), z.unknown()),
    handler: ({ deps }) => deps.openapi(),
  }),
];
