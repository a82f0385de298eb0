import { LIMITS } from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import { ApiError } from "../lib/api-error";
import type { SecretBox } from "../secrets/secret-box";
import { secretContext } from "../secrets/contexts";
import { generateToken, hashToken, tokenDisplayPrefix } from "./tokens";

const HOUR_MS = 3_600_000;

/**
 * `POST /api/settings/rotate-token`. The old token stops working the moment this commits, on every
 * instance (token lookups are not cached). At most `LIMITS.tokenRotationsPerHour` per workspace, counted
 * in the database under the workspace's row lock, so concurrent calls on several instances cannot pass it.
 */
export class TokenRotationService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: SecretBox,
  ) {}

  /** The current token, for the dashboard's Integrations page (admins only). */
  async current(workspaceId: string): Promise<{ webhookToken: string }> {
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { tokenEncrypted: true, tokenPrefix: true } });
    if (!ws) throw ApiError.notFound("Workspace");
    if (!ws.tokenEncrypted) {
      throw ApiError.conflict(`Only the start of this token is known (${ws.tokenPrefix}); rotate it to see a new one in full.`);
    }
    return { webhookToken: this.secrets.open(ws.tokenEncrypted, secretContext(workspaceId, "token")) };
  }

  /**
   * `usedTokenHash`: the token the caller authenticated with (none for dashboard sessions); a rotation
   * that replaced it meanwhile wins.
   */
  async rotate(workspaceId: string, rotatedBy: string, usedTokenHash?: string): Promise<{ webhookToken: string }> {
    const token = generateToken();
    await this.prisma.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<
        { token_hash: string }[]
      >`SELECT token_hash FROM workspaces WHERE id = ${workspaceId}::uuid FOR UPDATE`;
      if (!locked) throw ApiError.notFound("Workspace");
      if (usedTokenHash !== undefined && locked.token_hash !== usedTokenHash) {
        throw new ApiError("unauthorized", "This token was rotated a moment ago. Use the new token.");
      }
      const since = new Date(Date.now() - HOUR_MS);
      const recent = await tx.tokenRotation.findMany({
        where: { workspaceId, createdAt: { gt: since } },
        orderBy: { createdAt: "asc" },
        select: { createdAt: true },
      });
      if (recent.length >= LIMITS.tokenRotationsPerHour) {
        throw ApiError.rateLimited(
          recent[0]!.createdAt.getTime() + HOUR_MS,
          (minutes) =>
            `The token was rotated ${recent.length} times in the last hour (at most ${LIMITS.tokenRotationsPerHour}). Try again in ${minutes} minutes.`,
        );
      }
      await tx.workspace.update({
        where: { id: workspaceId },
        data: {
          tokenHash: hashToken(token),
          tokenPrefix: tokenDisplayPrefix(token),
          tokenEncrypted: this.secrets.seal(token, secretContext(workspaceId, "token")),
          tokenRotatedAt: new Date(),
        },
      });
      await tx.tokenRotation.create({ data: { workspaceId, rotatedBy } });
    });
    return { webhookToken: token };
  }
}
