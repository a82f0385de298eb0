import { AppendSpansBody, AppendSpansResponse, IdParams, TraceDetail, TraceParams } from "@tracira/shared";
import { defineRoute } from "../http/route";

export const traceRoutes = [
  defineRoute({
    method: "post",
    path: "/api/logs/:id/spans",
    tag: "Traces",
    summary: "Append spans to a log's trace: idempotent by span id, children before parents allowed, open spans closed later",
    auth: "token",
    params: IdParams,
    body: AppendSpansBody,
    response: AppendSpansResponse,
    handler: ({ auth, params, body, deps }) => deps.services.spans.append(auth.workspaceId, params.id, body.spans),
  }),
  defineRoute({
    method: "get",
    path: "/api/traces/:traceId",
    tag: "Traces",
    summary: "One trace (a log is a trace root: trace id = log id) with its spans in tree order and its evaluations",
    auth: "token",
    params: TraceParams,
    response: TraceDetail,
    handler: ({ auth, params, deps }) => deps.services.traces.get(auth.workspaceId, params.traceId),
  }),
];
