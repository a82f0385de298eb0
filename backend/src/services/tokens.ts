import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { SqlClient } from "../db/sql";

export interface WorkspaceIdentity {
  id: string;
  name: string;
  tokenHash: string;
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

/**
 * Token lookups run on every API call, so they use one prepared SQL statement rather than Prisma (which
 * measured about a quarter of the server's time per log). Nothing is cached: a rotated token stops
 * working at once, on every instance.
 */
export class TokenService {
  constructor(private readonly sql: SqlClient) {}

  async lookup(token: string): Promise<WorkspaceIdentity | undefined> {
    const hash = hashToken(token);
    const [row] = await this.sql.query<{ id: string; name: string; token_hash: string }>(
      "SELECT id, name, token_hash FROM workspaces WHERE token_hash = $1",
      [hash],
      "tracira_token_lookup",
    );
    if (!row) return undefined;
    // The index found it by hash; compare in constant time anyway so no timing depends on the match.
    if (!timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
    return { id: row.id, name: row.name, tokenHash: hash };
  }
}
