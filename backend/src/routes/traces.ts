import { AppendSpansBody, AppendSpansResponse, IdParams, ListTracesQuery, TraceDetail, TraceList, TraceParams } from "@tracira/shared";
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
    path: "/api/traces",
    tag: "Traces",
    summary: "List traces, newest first, with the composite cursor <startedAt>|<traceId> (nextCursor)",
    auth: "token",
    query: ListTracesQuery,
    response: TraceList,
    handler: ({ auth, query, deps }) => deps.services.traces.list(auth.workspaceId, query),
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
