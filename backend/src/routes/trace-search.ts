import { SearchTracesBody, SearchTracesResponse } from "@tracira/shared";
import { defineRoute } from "../http/route";

export const traceSearchRoutes = [
  defineRoute({
    method: "post",
    path: "/api/traces/search",
    tag: "Traces",
    summary: "Search a project's traces: flat parameters and typed filters (ANDed), startedAt order, opaque cursor (nextCursor)",
    auth: "token",
    body: SearchTracesBody,
    response: SearchTracesResponse,
    handler: ({ auth, body, deps }) => deps.services.traceSearch.search(auth.workspaceId, body),
  }),
];
