import { CreateHookBody, IdParams, ListDeliveriesQuery } from "@tracira/shared";
import { memberProcedure, router } from "../init";

export const hooksRouter = router({
  list: memberProcedure.query(({ ctx }) => ctx.deps.services.hooks.list(ctx.auth.workspaceId)),
  create: memberProcedure.input(CreateHookBody).mutation(({ ctx, input }) => ctx.deps.services.hooks.create(ctx.auth.workspaceId, input)),
  delete: memberProcedure.input(IdParams).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.hooks.delete(ctx.auth.workspaceId, input.id);
    return { ok: true as const };
  }),
});

export const deliveriesRouter = router({
  list: memberProcedure
    .input(ListDeliveriesQuery)
    .query(({ ctx, input }) => ctx.deps.services.deliveries.list(ctx.auth.workspaceId, input, ctx.auth.role)),
});
