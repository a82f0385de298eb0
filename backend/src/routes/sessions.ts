import {
  ExportSessionsQuery,
  GenerationList,
  ListGenerationsQuery,
  ListSessionsQuery,
  ProjectSessionsParams,
  SessionAnalysis,
  SessionChildren,
  SessionChildrenQuery,
  SessionList,
  SessionMetrics,
  SessionParams,
  SessionSpanParams,
  SessionsCsv,
  SessionTraces,
  SessionTracesQuery,
} from "@tracira/shared";
import { sendCsv } from "../http/csv-response";
import { defineRoute } from "../http/route";

const BASE = "/api/projects/:projectId/sessions";

/** The session API (peer-session-traces): `projectId` is the project's id or name. */
export const sessionRoutes = [
  defineRoute({
    method: "get",
    path: BASE,
    tag: "Sessions",
    summary: "List a project's sessions with their rollups, latest activity first (cursor <lastActivityAt>|<sessionId>; from, to, q)",
    auth: "token",
    params: ProjectSessionsParams,
    query: ListSessionsQuery,
    response: SessionList,
    handler: ({ auth, params, query, deps }) => deps.services.sessionQueries.list(auth.workspaceId, params.projectId, query),
  }),
  defineRoute({
    method: "get",
    path: `${BASE}/export`,
    tag: "Sessions",
    summary:
      "Every event of the project's sessions as a CSV file, streamed (format=csv; the list's filters, sessionId, eventType, decisionKind)",
    auth: "token",
    // The dashboard's "Export CSV" is a plain link: the browser downloads it with the session cookie.
    session: true,
    params: ProjectSessionsParams,
    query: ExportSessionsQuery,
    response: SessionsCsv,
    responseType: "text/csv",
    handler: async ({ auth, params, query, deps, res }) =>
      sendCsv(res, await deps.services.sessionExport.open(auth.workspaceId, params.projectId, query)),
  }),
  defineRoute({
    method: "get",
    path: `${BASE}/generations`,
    tag: "Sessions",
    summary: "Every LLM event of the project's sessions, newest first (cursor <startedAt>|<traceId>|<spanId>; sessionId, model)",
    auth: "token",
    params: ProjectSessionsParams,
    query: ListGenerationsQuery,
    response: GenerationList,
    handler: ({ auth, params, query, deps }) => deps.services.generations.list(auth.workspaceId, params.projectId, query),
  }),
  defineRoute({
    method: "get",
    path: `${BASE}/:sessionId/traces`,
    tag: "Sessions",
    summary: "A session's traces in turn order with their events in tree order (eventType, decisionKind; include=metrics)",
    auth: "token",
    params: SessionParams,
    query: SessionTracesQuery,
    response: SessionTraces,
    handler: ({ auth, params, query, deps }) =>
      deps.services.sessionQueries.traces(auth.workspaceId, params.projectId, params.sessionId, query),
  }),
  defineRoute({
    method: "get",
    path: `${BASE}/:sessionId/traces/:spanId/children`,
    tag: "Sessions",
    summary: "Every event under a span, in tree order, with its parent and depth (traceId when the span id is in several traces)",
    auth: "token",
    params: SessionSpanParams,
    query: SessionChildrenQuery,
    response: SessionChildren,
    handler: ({ auth, params, query, deps }) =>
      deps.services.sessionQueries.children(auth.workspaceId, params.projectId, params.sessionId, params.spanId, query.traceId),
  }),
  defineRoute({
    method: "get",
    path: `${BASE}/:sessionId/metrics`,
    tag: "Sessions",
    summary:
      "A session's latency (total and per turn), tokens per LLM call, tool calls and success rate, guardrail evaluations and block rate",
    auth: "token",
    params: SessionParams,
    response: SessionMetrics,
    handler: ({ auth, params, deps }) => deps.services.sessionMetrics.get(auth.workspaceId, params.projectId, params.sessionId),
  }),
  defineRoute({
    method: "get",
    path: `${BASE}/:sessionId/analysis`,
    tag: "Sessions",
    summary:
      "Deterministic diagnostics of a session: slow spans, error patterns, decision anomalies (rare kinds, handoff loops), suggestions",
    auth: "token",
    params: SessionParams,
    response: SessionAnalysis,
    handler: ({ auth, params, deps }) => deps.services.sessionAnalysis.analyse(auth.workspaceId, params.projectId, params.sessionId),
  }),
];
