import { BulkBody, DecisionBody, IdParams, ListLogsQuery, TaskNamesQuery } from "@tracira/shared";
import type { DecisionActor } from "../../services/logs/review";
import { memberProcedure, router } from "../init";

/** Decisions made in the dashboard are signed by the user. */
const actorOf = (user: { email: string }): DecisionActor => ({ decidedBy: user.email, source: "dashboard" });

export const logsRouter = router({
  list: memberProcedure.input(ListLogsQuery).query(({ ctx, input }) => ctx.deps.services.logs.list(ctx.auth.workspaceId, input)),
  get: memberProcedure.input(IdParams).query(({ ctx, input }) => ctx.deps.services.logs.get(ctx.auth.workspaceId, input.id)),
  taskNames: memberProcedure
    .input(TaskNamesQuery)
    .query(({ ctx, input }) => ctx.deps.services.logs.taskNames(ctx.auth.workspaceId, input.project)),
  decide: memberProcedure
    .input(IdParams.extend({ decision: DecisionBody.shape.decision }))
    .mutation(({ ctx, input }) => ctx.deps.services.review.decide(ctx.auth.workspaceId, input.id, input.decision, actorOf(ctx.user))),
  bulk: memberProcedure
    .input(BulkBody.pick({ ids: true, action: true }))
    .mutation(({ ctx, input }) => ctx.deps.services.review.bulk(ctx.auth.workspaceId, input.ids, input.action, actorOf(ctx.user))),
  delete: memberProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.deps.services.review.delete(ctx.auth.workspaceId, input.id)),
});
