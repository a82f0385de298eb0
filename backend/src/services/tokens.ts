import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "../db/database";

export interface WorkspaceIdentity {
  id: string;
  name: string;
}

export const TOKEN_PREFIX = "wh-";

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** Tokens are stored and looked up only as this hash. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** What may be shown of a token once it is stored: `wh-AbCd…`. */
export function tokenDisplayPrefix(token: string): string {
  return `${token.slice(0, 7)}…`;
}

export class TokenService {
  constructor(private readonly prisma: PrismaClient) {}

  async lookup(token: string): Promise<WorkspaceIdentity | undefined> {
    const hash = hashToken(token);
    const row = await this.prisma.workspace.findUnique({
      where: { tokenHash: hash },
      select: { id: true, name: true, tokenHash: true },
    });
    if (!row) return undefined;
    // The index found it by hash; compare in constant time anyway so no timing depends on the match.
    if (!timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))) return undefined;
    return { id: row.id, name: row.name };
  }
}
