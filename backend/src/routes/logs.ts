import {
  BulkBody,
  BulkResponse,
  CreateLogBody,
  CreateLogResponse,
  DecisionBody,
  DecisionResponse,
  IdParams,
  ListLogsQuery,
  ListLogsResponse,
  LogDetail,
  LogStatusResponse,
  OkResponse,
  parseTraceparent,
  TaskNamesQuery,
  TaskNamesResponse,
} from "@tracira/shared";
import { defineRoute, type BodyLimit } from "../http/route";

const actor = (body: { decidedBy?: string | undefined; source?: string | undefined }) => ({
  decidedBy: body.decidedBy?.trim() || "api",
  source: body.source?.trim() || "api",
});

/** POST /api/logs may carry base64 uploads: up to TRACIRA_MAX_LOG_BODY_BYTES, but only through them. */
const withUploads: BodyLimit = {
  maxBytes: (config) => config.media.maxLogBodyBytes,
  bulk: (body) => {
    const attachments = (body as { attachments?: unknown } | null | undefined)?.attachments;
    if (!Array.isArray(attachments)) return 0;
    return attachments.reduce<number>((sum, a) => {
      const upload = (a as { upload?: unknown } | null)?.upload;
      return sum + (typeof upload === "string" ? upload.length : 0);
    }, 0);
  },
  bulkName: "base64 attachment uploads",
};

export const logRoutes = [
  defineRoute({
    method: "post",
    path: "/api/logs",
    tag: "Logs",
    summary: "Submit an AI output for evaluation",
    auth: "token",
    rateLimit: "ingest",
    bodyLimit: withUploads,
    body: CreateLogBody,
    response: CreateLogResponse,
    handler: ({ auth, body, req, deps }) => {
      // The body's traceparent wins; a malformed header (any proxy may send one) is ignored, as W3C asks.
      const fromHeader = body.traceparent ? undefined : parseTraceparent(req.header("traceparent") ?? "");
      return deps.services.ingest.ingest(auth, fromHeader ? { ...body, traceparent: fromHeader } : body);
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/logs",
    tag: "Logs",
    summary: "List logs (the response key is `executions` for backwards compatibility)",
    auth: "token",
    query: ListLogsQuery,
    response: ListLogsResponse,
    handler: ({ auth, query, deps }) => deps.services.logs.list(auth.workspaceId, query),
  }),
  defineRoute({
    method: "get",
    path: "/api/logs/tasks",
    tag: "Logs",
    summary: "List distinct task names",
    auth: "token",
    query: TaskNamesQuery,
    response: TaskNamesResponse,
    handler: ({ auth, query, deps }) => deps.services.logs.taskNames(auth.workspaceId, query.project),
  }),
  defineRoute({
    method: "patch",
    path: "/api/logs/bulk",
    tag: "Logs",
    summary: "Bulk-approve, bulk-reject, or bulk-delete logs",
    auth: "token",
    body: BulkBody,
    response: BulkResponse,
    handler: ({ auth, body, deps }) => deps.services.review.bulk(auth.workspaceId, body.ids, body.action, actor(body)),
  }),
  defineRoute({
    method: "get",
    path: "/api/logs/:id",
    tag: "Logs",
    summary: "Get a single log",
    auth: "token",
    params: IdParams,
    response: LogDetail,
    handler: ({ auth, params, deps }) => deps.services.logs.get(auth.workspaceId, params.id),
  }),
  defineRoute({
    method: "delete",
    path: "/api/logs/:id",
    tag: "Logs",
    summary: "Delete a single log",
    auth: "token",
    params: IdParams,
    response: OkResponse,
    handler: ({ auth, params, deps }) => deps.services.review.delete(auth.workspaceId, params.id),
  }),
  defineRoute({
    method: "get",
    path: "/api/logs/:id/status",
    tag: "Logs",
    summary: "Poll async log status",
    auth: "token",
    params: IdParams,
    response: LogStatusResponse,
    handler: ({ auth, params, deps }) => deps.services.logs.status(auth.workspaceId, params.id),
  }),
  defineRoute({
    method: "patch",
    path: "/api/logs/:id/decision",
    tag: "Logs",
    summary: "Approve or reject a log",
    auth: "token",
    params: IdParams,
    body: DecisionBody,
    response: DecisionResponse,
    handler: ({ auth, params, body, deps }) => deps.services.review.decide(auth.workspaceId, params.id, body.decision, actor(body)),
  }),
];
