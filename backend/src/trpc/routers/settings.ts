import { OverviewQuery, UpdateSettingsBody } from "@tracira/shared";
import { adminProcedure, memberProcedure, router } from "../init";

export const settingsRouter = router({
  get: adminProcedure.query(({ ctx }) => ctx.deps.services.settings.get(ctx.auth.workspaceId, ctx.auth.role)),
  update: adminProcedure.input(UpdateSettingsBody).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.settings.update(ctx.auth.workspaceId, input);
    return { ok: true as const };
  }),
  webhookToken: adminProcedure.query(({ ctx }) => ctx.deps.services.tokenRotation.current(ctx.auth.workspaceId)),
  rotateToken: adminProcedure.mutation(({ ctx }) => ctx.deps.services.tokenRotation.rotate(ctx.auth.workspaceId, ctx.user.email)),
  signingSecret: adminProcedure.query(({ ctx }) => ctx.deps.services.signingSecretRotation.current(ctx.auth.workspaceId)),
  rotateSigningSecret: adminProcedure.mutation(({ ctx }) => ctx.deps.services.signingSecretRotation.rotate(ctx.auth.workspaceId)),
});

export const analyticsRouter = router({
  overview: memberProcedure
    .input(OverviewQuery.optional())
    .query(({ ctx, input }) => ctx.deps.services.analytics.overview(ctx.auth.workspaceId, input?.days ?? 14)),
});
