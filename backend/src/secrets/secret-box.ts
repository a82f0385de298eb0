import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

/**
 * AES-256-GCM for secrets at rest (provider keys, the Slack webhook URL, the workspace token and signing
 * secret). Each value is bound to where it is stored (`context`, e.g. `<workspaceId>:openaiApiKey`) as
 * additional data, so a ciphertext copied into another row or column does not open.
 *
 * Stored form: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url). The key id tells a wrong key from
 * tampering, so the error can say which.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the secret key must be 32 bytes");
    this.keyId = createHash("sha256").update(key).digest("hex").slice(0, 8);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", this.keyId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }

  /** A 32-byte key for one purpose (e.g. `media-url-signing`), derived with HKDF-SHA256 so no two purposes share a key. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync("sha256", this.key, "tracira-secret-box", purpose, 32));
  }

  open(sealed: string, context: string): string {
    const [version, keyId, iv, tag, body] = sealed.split(".");
    if (version !== "v1" || !keyId || !iv || !tag || body === undefined) throw new SecretBoxError("not a sealed secret");
    if (keyId !== this.keyId) {
      throw new SecretBoxError(`sealed with another key (id ${keyId}; this server's TRACIRA_SECRET_KEY has id ${this.keyId})`);
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("the sealed value was altered or belongs elsewhere");
    }
  }
}

export class SecretBoxError extends Error {}

/**
 * What may be shown of a secret: its kind prefix and last four characters (`sk-…abcd`); for a URL, its
 * origin (`https://hooks.slack.com/…abcd`). A secret that would keep fewer than 12 characters hidden shows nothing.
 */
export function maskSecret(secret: string): string {
  if (/^https?:\/\//i.test(secret)) {
    try {
      return `${new URL(secret).origin}/…${secret.slice(-4)}`;
    } catch {
      // not a URL after all: masked as text below
    }
  }
  const prefix = /^[A-Za-z]{2,8}-/.exec(secret)?.[0] ?? "";
  // At least 12 characters stay hidden, whatever the length: a short key shows nothing of itself.
  if (secret.length - prefix.length - 4 < 12) return "…";
  return `${prefix}…${secret.slice(-4)}`;
}
