import { InvitationQuery, LogInBody, SignUpBody, type Me } from "@tracira/shared";
import type { Account } from "../../services/accounts/accounts";
import { clearSessionCookie, setSessionCookie } from "../../http/session-cookie";
import { publicProcedure, router, type TrpcContext } from "../init";

/** Starts a session for the account and answers who is logged in. */
async function startSession(ctx: TrpcContext, account: Account): Promise<Me> {
  const { sessions } = ctx.deps.services;
  const { token, expiresAt } = await sessions.create(account.userId, account.workspaceId);
  const session = await sessions.lookup(token);
  if (!session) throw new Error("a session just created was not found");
  setSessionCookie(ctx.res, token, expiresAt, ctx.deps.config.publicUrl);
  return { user: session.user, workspace: session.workspace, role: session.role };
}

export const authRouter = router({
  status: publicProcedure.query(({ ctx }) => ctx.deps.services.accounts.status()),
  invitation: publicProcedure.input(InvitationQuery).query(({ ctx, input }) => ctx.deps.services.accounts.invitation(input.token)),
  signUp: publicProcedure
    .input(SignUpBody)
    .mutation(async ({ ctx, input }) => startSession(ctx, await ctx.deps.services.accounts.signUp(input, ctx.req.ip ?? "unknown"))),
  logIn: publicProcedure
    .input(LogInBody)
    .mutation(async ({ ctx, input }) => startSession(ctx, await ctx.deps.services.accounts.logIn(input, ctx.req.ip ?? "unknown"))),
  logOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.auth?.sessionHash) await ctx.deps.services.sessions.end(ctx.auth.sessionHash);
    clearSessionCookie(ctx.res, ctx.deps.config.publicUrl);
    return { ok: true as const };
  }),
  /** Ends every session of this user (every browser, every workspace), this one too. */
  logOutEverywhere: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.auth?.user) await ctx.deps.services.sessions.endAll(ctx.auth.user.id);
    clearSessionCookie(ctx.res, ctx.deps.config.publicUrl);
    return { ok: true as const };
  }),
  me: publicProcedure.query(({ ctx }): Me | null =>
    ctx.auth?.user
      ? { user: ctx.auth.user, workspace: { id: ctx.auth.workspaceId, name: ctx.auth.workspaceName }, role: ctx.auth.role }
      : null,
  ),
});
