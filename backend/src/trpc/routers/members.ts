import { CreateInviteBody } from "@tracira/shared";
import { adminProcedure, memberProcedure, router } from "../init";

export const membersRouter = router({
  list: memberProcedure.query(({ ctx }) => ctx.deps.services.accounts.members(ctx.auth.workspaceId)),
  invite: adminProcedure
    .input(CreateInviteBody)
    .mutation(({ ctx, input }) =>
      ctx.deps.services.accounts.createInvite(ctx.auth.workspaceId, input.role, ctx.user.id, ctx.deps.config.publicUrl),
    ),
});
