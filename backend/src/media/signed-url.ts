import { createHmac, timingSafeEqual } from "node:crypto";

export type Disposition = "inline" | "attachment";

export type SignatureCheck = "valid" | "invalid" | "expired";

/** The public route that serves files to whoever holds a valid signed link. */
export const SIGNED_MEDIA_PREFIX = "/api/media-files/";

const SIGNATURE = /^[0-9a-f]{64}$/;
const EXPIRES = /^\d{1,12}$/;

/**
 * Short-lived links to stored files: `/api/media-files/<key>?expires=<unix seconds>[&download=1]&signature=<hex>`.
 * The signature is HMAC-SHA256 over the key, the expiry and the disposition, with a key derived from the
 * server secret (the same on every instance, so any instance serves a link another one made). Changing
 * any of the three, or the link's age passing its expiry, makes the link refused.
 */
export class MediaUrlSigner {
  constructor(
    private readonly key: Buffer,
    readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    if (key.length < 32) throw new Error("the media signing key must be at least 32 bytes");
  }

  /** A link valid for at least `ttlSeconds`. */
  sign(key: string, disposition: Disposition): { url: string; expires: number } {
    const expires = Math.ceil(this.now() / 1000 + this.ttlSeconds);
    const query = new URLSearchParams({ expires: String(expires) });
    if (disposition === "attachment") query.set("download", "1");
    query.set("signature", this.signature(key, expires, disposition));
    const path = key.split("/").map(encodeURIComponent).join("/");
    return { url: `${SIGNED_MEDIA_PREFIX}${path}?${query.toString()}`, expires };
  }

  /** Checks the signature first (in constant time), then the expiry: an altered link is never "expired". */
  verify(key: string, expires: string | undefined, disposition: Disposition, signature: string | undefined): SignatureCheck {
    if (!expires || !signature || !EXPIRES.test(expires) || !SIGNATURE.test(signature)) return "invalid";
    const expected = Buffer.from(this.signature(key, Number(expires), disposition), "hex");
    if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) return "invalid";
    return this.now() / 1000 > Number(expires) ? "expired" : "valid";
  }

  /** Seconds until the link expires (0 once it has). */
  remainingSeconds(expires: string): number {
    return Math.max(0, Math.floor(Number(expires) - this.now() / 1000));
  }

  private signature(key: string, expires: number, disposition: Disposition): string {
    return createHmac("sha256", this.key).update(`tracira-media-v1\n${key}\n${expires}\n${disposition}`).digest("hex");
  }
}
