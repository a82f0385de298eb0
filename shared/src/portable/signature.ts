import { createHmac, timingSafeEqual } from "crypto";
import { SIGNATURE_TOLERANCE_SECONDS } from "./contract";

/** `HMAC-SHA256(secret, "<t>.<raw body>")` as hex: what Tracira sends as `v1`. */
export function computeSignature(secret: string, timestamp: string | number, rawBody: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}

/** The `X-Tracira-Signature` value for a body sent at `nowSeconds`. */
export function signatureHeaderValue(secret: string, rawBody: string | Buffer, nowSeconds: number): string {
  const t = Math.floor(nowSeconds);
  return `t=${t},v1=${computeSignature(secret, t, rawBody)}`;
}

/** Why a signature was refused, or null when it holds. */
export type SignatureProblem = "missing" | "malformed" | "stale" | "mismatch";

/**
 * Checks `X-Tracira-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]` against the raw body: `t` must be
 * within the tolerance of `nowSeconds` (replays are refused) and any `v1` must match, compared in constant
 * time (several `v1` values are sent while a secret is rotated).
 */
export function signatureProblem(
  secret: string,
  header: string | undefined,
  rawBody: string | Buffer,
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): SignatureProblem | null {
  if (!secret || !header) return "missing";
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") timestamp = value;
    else if (key === "v1" && value) signatures.push(value.toLowerCase());
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) return "malformed";
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return "stale";

  const expected = Buffer.from(computeSignature(secret, timestamp, rawBody), "utf8");
  const matches = signatures.some((signature) => {
    const given = Buffer.from(signature, "utf8");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? null : "mismatch";
}

/** True when the signature holds (see `signatureProblem`). */
export function verifySignature(
  secret: string,
  header: string | undefined,
  rawBody: string | Buffer,
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  return signatureProblem(secret, header, rawBody, nowSeconds, toleranceSeconds) === null;
}
