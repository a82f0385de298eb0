import { randomBytes } from "node:crypto";
import type { MemberRole } from "@tracira/shared";
import type { PrismaClient } from "../../db/database";
import { hashToken } from "../tokens";

/** Who a dashboard session belongs to, and in which workspace and role it acts. */
export interface SessionIdentity {
  user: { id: string; email: string; name: string | null };
  workspace: { id: string; name: string };
  role: MemberRole;
  /** The hash of the session token, to end exactly this session. */
  sessionHash: string;
}

/**
 * Dashboard sessions: a random token in an httpOnly cookie, stored only as its sha256. A session stops
 * working when it expires, when it is ended, or when its user leaves the workspace.
 */
export class SessionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs: number,
  ) {}

  async create(userId: string, workspaceId: string): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.prisma.session.create({ data: { userId, workspaceId, tokenHash: hashToken(token), expiresAt } });
    // Expired sessions are of no use to anyone; new logins sweep them.
    await this.prisma.session.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
    return { token, expiresAt };
  }

  async lookup(token: string): Promise<SessionIdentity | undefined> {
    const sessionHash = hashToken(token);
    const session = await this.prisma.session.findUnique({
      where: { tokenHash: sessionHash },
      select: {
        expiresAt: true,
        workspaceId: true,
        user: { select: { id: true, email: true, name: true } },
        workspace: { select: { id: true, name: true } },
      },
    });
    if (!session || session.expiresAt.getTime() <= Date.now()) return undefined;
    const membership = await this.prisma.membership.findUnique({
      where: { workspaceId_userId: { workspaceId: session.workspaceId, userId: session.user.id } },
      select: { role: true },
    });
    if (!membership) return undefined;
    return { user: session.user, workspace: session.workspace, role: membership.role, sessionHash };
  }

  /** Ends every session of the user, in every workspace ("log out everywhere"). */
  async endAll(userId: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { userId } });
  }

  async end(sessionHash: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { tokenHash: sessionHash } });
  }
}
