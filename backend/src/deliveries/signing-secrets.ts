import { randomBytes } from "node:crypto";
import type { SqlClient } from "../db/sql";
import type { SecretBox } from "../secrets/secret-box";
import { secretContext } from "../secrets/contexts";

const WORKSPACE_FIELD = "signingSecret";
const PREVIOUS_FIELD = "previousSigningSecret";
const hookField = (hookId: string) => `hook:${hookId}:signingSecret`;
/** Another instance's rotation is seen within this long. */
const CACHE_MS = 10_000;

/** A fresh `whsec_…` secret. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

interface Cached {
  at: number;
  secrets: Promise<string[]>;
}

/**
 * The secrets deliveries are signed with, decrypted on use and kept for a few seconds. A hook subscription
 * has its own (shown once, to whoever made it), so a member who subscribes a trigger cannot sign the events
 * of the workspace's callbacks and outbound webhook, which use the workspace's secret. After an admin
 * rotates that, the previous one is still sent as a second signature until its overlap ends. Workspaces
 * created before secrets existed get one on first use; concurrent first uses agree on one, because only
 * the first write to an empty column wins.
 */
export class SigningSecrets {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly sql: SqlClient,
    private readonly secrets: SecretBox,
  ) {}

  /** The workspace's current secret (what the signature of its callbacks and webhook is checked against). */
  async get(workspaceId: string): Promise<string> {
    return (await this.forWorkspace(workspaceId))[0]!;
  }

  /** The secrets a workspace delivery is signed with: the current one, and the previous within its overlap. */
  forWorkspace(workspaceId: string): Promise<string[]> {
    return this.cached(`workspace:${workspaceId}`, () => this.loadWorkspace(workspaceId));
  }

  /** A hook subscription's own secret, or, for one made before hooks had their own, the workspace's. */
  forHook(workspaceId: string, hookId: string): Promise<string[]> {
    return this.cached(`hook:${hookId}`, async () => {
      const rows = await this.sql.query<{ signing_secret_encrypted: string | null }>(
        `SELECT signing_secret_encrypted FROM hook_subscriptions WHERE id = $1::uuid AND workspace_id = $2::uuid`,
        [hookId, workspaceId],
      );
      const sealed = rows[0]?.signing_secret_encrypted;
      return sealed ? [this.secrets.open(sealed, secretContext(workspaceId, hookField(hookId)))] : this.forWorkspace(workspaceId);
    });
  }

  /** Seals a new hook subscription's secret for its row. */
  sealForHook(workspaceId: string, hookId: string, secret: string): string {
    return this.secrets.seal(secret, secretContext(workspaceId, hookField(hookId)));
  }

  /** A new workspace secret; the current one stays valid as a second signature for `overlapMs`. */
  async rotate(workspaceId: string, overlapMs: number): Promise<{ signingSecret: string; previousValidUntil: Date }> {
    const current = await this.loadWorkspace(workspaceId);
    const fresh = newSigningSecret();
    const until = new Date(Date.now() + overlapMs);
    await this.sql.query(
      `UPDATE workspaces SET signing_secret_encrypted = $2, previous_signing_secret_encrypted = $3, previous_signing_secret_until = $4
       WHERE id = $1::uuid`,
      [
        workspaceId,
        this.secrets.seal(fresh, secretContext(workspaceId, WORKSPACE_FIELD)),
        this.secrets.seal(current[0]!, secretContext(workspaceId, PREVIOUS_FIELD)),
        until.toISOString(),
      ],
    );
    this.cache.delete(`workspace:${workspaceId}`);
    return { signingSecret: fresh, previousValidUntil: until };
  }

  private cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.secrets;
    const secrets = load();
    secrets.catch(() => this.cache.delete(key));
    this.cache.set(key, { at: Date.now(), secrets });
    return secrets;
  }

  private async loadWorkspace(workspaceId: string): Promise<string[]> {
    let row = await this.read(workspaceId);
    if (!row) throw new Error(`workspace ${workspaceId} not found`);
    if (!row.signing_secret_encrypted) {
      const fresh = this.secrets.seal(newSigningSecret(), secretContext(workspaceId, WORKSPACE_FIELD));
      await this.sql.query(`UPDATE workspaces SET signing_secret_encrypted = $2 WHERE id = $1 AND signing_secret_encrypted IS NULL`, [
        workspaceId,
        fresh,
      ]);
      row = (await this.read(workspaceId))!;
    }
    const current = this.secrets.open(row.signing_secret_encrypted!, secretContext(workspaceId, WORKSPACE_FIELD));
    const until = row.previous_signing_secret_until;
    const overlapping = row.previous_signing_secret_encrypted && until && new Date(until).getTime() > Date.now();
    return overlapping
      ? [current, this.secrets.open(row.previous_signing_secret_encrypted!, secretContext(workspaceId, PREVIOUS_FIELD))]
      : [current];
  }

  private async read(workspaceId: string) {
    const rows = await this.sql.query<{
      signing_secret_encrypted: string | null;
      previous_signing_secret_encrypted: string | null;
      previous_signing_secret_until: Date | null;
    }>(`SELECT signing_secret_encrypted, previous_signing_secret_encrypted, previous_signing_secret_until FROM workspaces WHERE id = $1`, [
      workspaceId,
    ]);
    return rows[0];
  }
}
