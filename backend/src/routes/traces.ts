import { TraceDetail, TraceParams } from "@tracira/shared";
import { defineRoute } from "../http/route";

export const traceRoutes = [
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
