import { ListSessionsQuery, ProjectSessionsParams, SessionParams, SessionTracesQuery } from "@tracira/shared";
import { memberProcedure, router } from "../init";

/** The Sessions pages: the same session services as `/api/projects/:projectId/sessions`. */
export const sessionsRouter = router({
  list: memberProcedure
    .input(ListSessionsQuery.extend(ProjectSessionsParams.shape))
    .query(({ ctx, input: { projectId, ...query } }) => ctx.deps.services.sessionQueries.list(ctx.auth.workspaceId, projectId, query)),
  traces: memberProcedure
    .input(SessionTracesQuery.extend(SessionParams.shape))
    .query(({ ctx, input: { projectId, sessionId, ...query } }) =>
      ctx.deps.services.sessionQueries.traces(ctx.auth.workspaceId, projectId, sessionId, query),
    ),
  metrics: memberProcedure
    .input(SessionParams)
    .query(({ ctx, input }) => ctx.deps.services.sessionMetrics.get(ctx.auth.workspaceId, input.projectId, input.sessionId)),
  analysis: memberProcedure
    .input(SessionParams)
    .query(({ ctx, input }) => ctx.deps.services.sessionAnalysis.analyse(ctx.auth.workspaceId, input.projectId, input.sessionId)),
});
