import { randomBytes } from "node:crypto";
import type { AuthStatus, CreatedInvite, Invitation, InviteList, LogInBody, MemberList, MemberRole, SignUpBody } from "@tracira/shared";
import type { AccountsConfig } from "../../config";
import type { PrismaClient } from "../../db/database";
import { isUniqueViolation } from "../../db/prisma-errors";
import type { Prisma } from "../../generated/prisma/client";
import { ApiError } from "../../lib/api-error";
import type { RateLimiter } from "../../ratelimit/types";
import { hashToken } from "../tokens";
import type { WorkspaceService } from "../workspaces";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./passwords";

const INVITE_TTL_MS = 7 * 86_400_000;
/**
 * Log-in attempts per e-mail *and* address: a wrong password sprayed from elsewhere never locks the real
 * user out on their own address. Every log-in and sign-up attempt of one address counts against a second
 * limit, checked before any password is hashed (spraying across e-mails, batches of attempts).
 */
const LOGIN_ATTEMPTS = { limit: 10, windowMs: 15 * 60_000 };
const ADDRESS_ATTEMPTS = { limit: 30, windowMs: 15 * 60_000 };
/** Serializes sign-ups, so two people cannot both claim the first workspace. */
const SIGNUP_LOCK = 72707371;

/** Who signed up or logged in, and the workspace the new session acts in. */
export interface Account {
  userId: string;
  workspaceId: string;
}

/**
 * Dashboard accounts. Sign-up joins, in order: the workspace of an invite link (with the invite's role);
 * a workspace nobody has joined yet (the one created at first start) as its admin, for whoever proves they
 * run the server with that workspace's token (printed at that start); with open sign-up, a new workspace
 * of one's own as its admin. Otherwise an invite is needed.
 */
export class AccountService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly workspaces: WorkspaceService,
    private readonly config: AccountsConfig,
    private readonly limiter: RateLimiter,
  ) {}

  async status(): Promise<AuthStatus> {
    const [users, unclaimed] = await Promise.all([this.prisma.user.count(), this.unclaimedWorkspace(this.prisma)]);
    return { hasUsers: users > 0, signupOpen: this.config.openSignup || unclaimed !== undefined, claimable: unclaimed !== undefined };
  }

  async signUp(body: SignUpBody, address: string): Promise<Account> {
    await this.limit(`auth-address:${address}`, ADDRESS_ATTEMPTS, "sign-up attempts from this address");
    // Refused before the (deliberately slow) password hash when nothing could be joined.
    const refusal = await this.signUpRefusal(this.prisma, body);
    if (refusal) throw refusal;
    const passwordHash = await hashPassword(body.password, this.config.passwordCost);
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNUP_LOCK})`;
        if (await tx.user.findUnique({ where: { email: body.email }, select: { id: true } })) throw emailTaken();
        const { workspaceId, role } = await this.workspaceToJoin(tx, body);
        const user = await tx.user.create({
          data: { email: body.email, name: body.name?.trim() || null, passwordHash },
          select: { id: true },
        });
        await tx.membership.create({ data: { workspaceId, userId: user.id, role } });
        return { userId: user.id, workspaceId };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw emailTaken();
      throw err;
    }
  }

  async logIn(body: LogInBody, address: string): Promise<Account> {
    await this.limit(`auth-address:${address}`, ADDRESS_ATTEMPTS, "log-in attempts from this address");
    await this.limit(`login:${body.email}:${address}`, LOGIN_ATTEMPTS, "log-in attempts for this e-mail");
    const user = await this.prisma.user.findUnique({
      where: { email: body.email },
      select: { id: true, passwordHash: true, memberships: { select: { workspaceId: true }, orderBy: { createdAt: "asc" }, take: 1 } },
    });
    const valid = user
      ? await verifyPassword(body.password, user.passwordHash)
      : await burnPasswordCheck(body.password, this.config.passwordCost);
    if (!user || !valid)
      throw new ApiError("unauthorized", "The e-mail or the password is wrong.", { password: "check the e-mail and the password" });
    const membership = user.memberships[0];
    if (!membership)
      throw new ApiError("forbidden", "This account is not a member of any workspace any more; ask an admin for an invite link.");
    return { userId: user.id, workspaceId: membership.workspaceId };
  }

  async invitation(token: string): Promise<Invitation> {
    const invite = await this.openInvite(this.prisma, token);
    return { workspaceName: invite.workspace.name, role: invite.role, expiresAt: invite.expiresAt.toISOString() };
  }

  /** A single-use link, valid for a week; only its hash is stored. */
  async createInvite(workspaceId: string, role: MemberRole, createdById: string, publicUrl: string | undefined): Promise<CreatedInvite> {
    const token = randomBytes(24).toString("base64url");
    const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
    await this.prisma.invite.create({ data: { workspaceId, role, createdById, tokenHash: hashToken(token), expiresAt } });
    const path = `/signup?invite=${token}`;
    return { url: publicUrl ? new URL(path, publicUrl).toString() : path, expiresAt: expiresAt.toISOString(), role };
  }

  /** The workspace's invite links not used and not expired yet. */
  async invites(workspaceId: string): Promise<InviteList> {
    const rows = await this.prisma.invite.findMany({
      where: { workspaceId, acceptedAt: null, expiresAt: { gt: new Date() } },
      orderBy: { createdAt: "desc" },
      select: { id: true, role: true, expiresAt: true, createdAt: true, createdBy: { select: { email: true } } },
    });
    return {
      invites: rows.map((i) => ({
        id: i.id,
        role: i.role,
        createdBy: i.createdBy?.email ?? null,
        expiresAt: i.expiresAt.toISOString(),
        createdAt: i.createdAt.toISOString(),
      })),
    };
  }

  /** Revokes an invite link before anyone uses it. */
  async revokeInvite(workspaceId: string, inviteId: string): Promise<void> {
    const revoked = await this.prisma.invite.deleteMany({ where: { id: inviteId, workspaceId, acceptedAt: null } });
    if (revoked.count === 0) throw ApiError.notFound("Invite");
  }

  async members(workspaceId: string): Promise<MemberList> {
    const rows = await this.prisma.membership.findMany({
      where: { workspaceId },
      orderBy: { createdAt: "asc" },
      select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
    });
    return {
      members: rows.map((m) => ({
        userId: m.user.id,
        email: m.user.email,
        name: m.user.name,
        role: m.role,
        createdAt: m.createdAt.toISOString(),
      })),
    };
  }

  /** Changes a member's role; the workspace always keeps at least one admin. */
  async setRole(workspaceId: string, userId: string, role: MemberRole): Promise<void> {
    await this.changeMembership(workspaceId, userId, role === "admin" ? undefined : "demoted", async (tx) => {
      await tx.membership.update({ where: { workspaceId_userId: { workspaceId, userId } }, data: { role } });
      // Invite links are an admin's: a demoted admin's open ones go.
      if (role !== "admin") await tx.invite.deleteMany({ where: { workspaceId, createdById: userId, acceptedAt: null } });
    });
  }

  /**
   * Removes a member, ends their sessions in this workspace and revokes the invite links they made there,
   * at once; the last admin cannot go.
   */
  async removeMember(workspaceId: string, userId: string): Promise<void> {
    await this.changeMembership(workspaceId, userId, "removed", async (tx) => {
      await tx.membership.delete({ where: { workspaceId_userId: { workspaceId, userId } } });
      await tx.session.deleteMany({ where: { workspaceId, userId } });
      await tx.invite.deleteMany({ where: { workspaceId, createdById: userId, acceptedAt: null } });
    });
  }

  /** Locks the workspace's memberships so two admins cannot demote each other at the same time. */
  private async changeMembership(
    workspaceId: string,
    userId: string,
    losesAdmin: "demoted" | "removed" | undefined,
    change: (tx: Prisma.TransactionClient) => Promise<unknown>,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ user_id: string; role: MemberRole }[]>`
        SELECT user_id, role FROM memberships WHERE workspace_id = ${workspaceId}::uuid FOR UPDATE`;
      const target = rows.find((r) => r.user_id === userId);
      if (!target) throw ApiError.notFound("Member");
      const admins = rows.filter((r) => r.role === "admin").length;
      if (losesAdmin && target.role === "admin" && admins === 1) {
        throw ApiError.conflict(`The workspace needs at least one admin: make someone else admin before this one is ${losesAdmin}.`);
      }
      await change(tx);
    });
  }

  /** Counts one attempt against `key`; past the limit, a 429 with Retry-After. */
  private async limit(key: string, { limit, windowMs }: { limit: number; windowMs: number }, what: string): Promise<void> {
    const attempt = await this.limiter.hit(key, limit, windowMs);
    if (attempt.allowed) return;
    throw ApiError.rateLimited(attempt.resetAt, (minutes) => `Too many ${what}. Try again in ${minutes} minutes.`);
  }

  /** Why a sign-up without an invite can join nothing, if it cannot (checked again, under the lock, on join). */
  private async signUpRefusal(db: PrismaClient | Prisma.TransactionClient, body: SignUpBody): Promise<ApiError | undefined> {
    if (body.inviteToken) return undefined;
    const unclaimed = await this.unclaimedWorkspace(db);
    if (unclaimed && body.claimToken) {
      return hashToken(body.claimToken.trim()) === unclaimed.tokenHash ? undefined : notTheWorkspaceToken();
    }
    if (this.config.openSignup) return undefined;
    return unclaimed ? claimTokenNeeded() : inviteNeeded();
  }

  private async workspaceToJoin(tx: Prisma.TransactionClient, body: SignUpBody): Promise<{ workspaceId: string; role: MemberRole }> {
    if (body.inviteToken) {
      const invite = await this.openInvite(tx, body.inviteToken);
      const taken = await tx.invite.updateMany({ where: { id: invite.id, acceptedAt: null }, data: { acceptedAt: new Date() } });
      if (taken.count !== 1) throw inviteUnusable();
      return { workspaceId: invite.workspaceId, role: invite.role };
    }
    const refusal = await this.signUpRefusal(tx, body);
    if (refusal) throw refusal;
    const unclaimed = await this.unclaimedWorkspace(tx);
    if (unclaimed && body.claimToken) return { workspaceId: unclaimed.id, role: "admin" };
    const name = body.workspaceName?.trim() || `${body.name?.trim() || body.email.split("@")[0]}'s workspace`;
    const created = await this.workspaces.create(name, undefined, tx);
    return { workspaceId: created.id, role: "admin" };
  }

  /** The oldest workspace nobody has joined yet, with the hash of the token that claims it. */
  private async unclaimedWorkspace(db: PrismaClient | Prisma.TransactionClient): Promise<{ id: string; tokenHash: string } | undefined> {
    const ws = await db.workspace.findFirst({
      where: { memberships: { none: {} } },
      orderBy: { createdAt: "asc" },
      select: { id: true, tokenHash: true },
    });
    return ws ?? undefined;
  }

  private async openInvite(db: PrismaClient | Prisma.TransactionClient, token: string) {
    const invite = await db.invite.findUnique({
      where: { tokenHash: hashToken(token) },
      select: { id: true, workspaceId: true, role: true, expiresAt: true, acceptedAt: true, workspace: { select: { name: true } } },
    });
    if (!invite || invite.acceptedAt || invite.expiresAt.getTime() <= Date.now()) throw inviteUnusable();
    return invite;
  }
}

const emailTaken = () =>
  ApiError.conflict("An account with this e-mail already exists: log in instead.", { email: "already has an account" });

const inviteUnusable = () =>
  ApiError.invalid("This invite link is not valid any more (used, expired or mistyped): ask an admin for a new one.", {
    inviteToken: "is used, expired or unknown",
  });

const notTheWorkspaceToken = () =>
  new ApiError("forbidden", "This is not the workspace's token: paste the wh-… token this server printed at its first start.", {
    claimToken: "is not this workspace's token",
  });

const claimTokenNeeded = () =>
  new ApiError(
    "forbidden",
    "To become this server's first admin, paste the workspace token (wh-…) it printed at its first start: that proves you run it.",
    { claimToken: "the token the first start printed is needed" },
  );

const inviteNeeded = () =>
  new ApiError("forbidden", "Signing up here needs an invite link: ask an admin of your workspace for one (Settings → Members).", {
    inviteToken: "an invite link is needed",
  });
