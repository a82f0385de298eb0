import { randomBytes } from "node:crypto";
import type { SqlClient } from "../db/sql";
import type { SecretBox } from "../secrets/secret-box";
import { secretContext } from "../secrets/contexts";

const CONTEXT_FIELD = "signingSecret";

/**
 * Each workspace's signing secret, decrypted on first use and kept in memory (it never changes while the
 * server runs). Workspaces created before secrets existed get one on first use; concurrent first uses
 * agree on one, because only the first write to an empty column wins.
 */
export class SigningSecrets {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly sql: SqlClient,
    private readonly secrets: SecretBox,
  ) {}

  get(workspaceId: string): Promise<string> {
    let secret = this.cache.get(workspaceId);
    if (!secret) {
      secret = this.load(workspaceId);
      secret.catch(() => this.cache.delete(workspaceId));
      this.cache.set(workspaceId, secret);
    }
    return secret;
  }

  private async load(workspaceId: string): Promise<string> {
    const sealed = await this.read(workspaceId);
    if (sealed) return this.secrets.open(sealed, secretContext(workspaceId, CONTEXT_FIELD));
    const fresh = this.secrets.seal(`whsec_${randomBytes(32).toString("base64url")}`, secretContext(workspaceId, CONTEXT_FIELD));
    await this.sql.query(`UPDATE workspaces SET signing_secret_encrypted = $2 WHERE id = $1 AND signing_secret_encrypted IS NULL`, [
      workspaceId,
      fresh,
    ]);
    const stored = await this.read(workspaceId);
    if (!stored) throw new Error(`workspace ${workspaceId} not found`);
    return this.secrets.open(stored, secretContext(workspaceId, CONTEXT_FIELD));
  }

  private async read(workspaceId: string): Promise<string | null | undefined> {
    const rows = await this.sql.query<{ signing_secret_encrypted: string | null }>(
      `SELECT signing_secret_encrypted FROM workspaces WHERE id = $1`,
      [workspaceId],
    );
    return rows[0]?.signing_secret_encrypted;
  }
}
