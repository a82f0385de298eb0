import { CreateInviteBody, InviteRef, MemberRef, SetMemberRoleBody } from "@tracira/shared";
import { adminProcedure, memberProcedure, router } from "../init";

export const membersRouter = router({
  list: memberProcedure.query(({ ctx }) => ctx.deps.services.accounts.members(ctx.auth.workspaceId)),
  invite: adminProcedure
    .input(CreateInviteBody)
    .mutation(({ ctx, input }) =>
      ctx.deps.services.accounts.createInvite(ctx.auth.workspaceId, input.role, ctx.user.id, ctx.deps.config.publicUrl),
    ),
  invites: adminProcedure.query(({ ctx }) => ctx.deps.services.accounts.invites(ctx.auth.workspaceId)),
  revokeInvite: adminProcedure.input(InviteRef).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.accounts.revokeInvite(ctx.auth.workspaceId, input.inviteId);
    return { ok: true as const };
  }),
  setRole: adminProcedure.input(SetMemberRoleBody).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.accounts.setRole(ctx.auth.workspaceId, input.userId, input.role);
    return { ok: true as const };
  }),
  remove: adminProcedure.input(MemberRef).mutation(async ({ ctx, input }) => {
    await ctx.deps.services.accounts.removeMember(ctx.auth.workspaceId, input.userId);
    return { ok: true as const };
  }),
});
