import { createHmac } from "node:crypto";

/**
 * `X-Tracira-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the workspace
 * signing secret as UTF-8 text (the whole `whsec_…` string). Receivers recompute it over the raw body and
 * reject old `t` values to stop replays.
 */
export function signatureHeader(secret: string, body: string, at: Date = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}
