import { EvaluationScoresQuery } from "@tracira/shared";
import { memberProcedure, router } from "../init";

/** Callers' own evaluations (POST /api/logs/:id/evaluations) for the logs page: filter columns and scores. */
export const evaluationsRouter = router({
  names: memberProcedure.query(({ ctx }) => ctx.deps.services.evaluations.names(ctx.auth.workspaceId)),
  scores: memberProcedure
    .input(EvaluationScoresQuery)
    .query(({ ctx, input }) => ctx.deps.services.evaluations.scores(ctx.auth.workspaceId, input.ids)),
});
