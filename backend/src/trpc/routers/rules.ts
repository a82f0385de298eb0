import { CreateRuleBody, EvaluateRuleBody, IdParams, UpdateRuleBody } from "@tracira/shared";
import { memberProcedure, router } from "../init";

export const rulesRouter = router({
  list: memberProcedure.query(({ ctx }) => ctx.deps.services.rules.list(ctx.auth.workspaceId)),
  get: memberProcedure.input(IdParams).query(({ ctx, input }) => ctx.deps.services.rules.get(ctx.auth.workspaceId, input.id)),
  create: memberProcedure.input(CreateRuleBody).mutation(({ ctx, input }) => ctx.deps.services.rules.create(ctx.auth.workspaceId, input)),
  update: memberProcedure.input(IdParams.and(UpdateRuleBody)).mutation(async ({ ctx, input: { id, ...change } }) => {
    await ctx.deps.services.rules.update(ctx.auth.workspaceId, id, change);
    return { ok: true as const };
  }),
  delete: memberProcedure.input(IdParams).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.rules.delete(ctx.auth.workspaceId, input.id);
    return { ok: true as const };
  }),
  /** "Test this rule": evaluates a rule (saved or as typed) against a sample output, storing nothing. */
  test: memberProcedure
    .input(EvaluateRuleBody)
    .mutation(({ ctx, input }) => ctx.deps.services.ruleEvaluation.evaluate(ctx.auth.workspaceId, input)),
});
