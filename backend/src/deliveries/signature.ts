import { computeSignature } from "@tracira/shared/portable/signature";

/**
 * `X-Tracira-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the signing
 * secret as UTF-8 text (the whole `whsec_…` string); one `v1` per secret (while a rotated workspace secret
 * overlaps, the new one and the previous). Receivers recompute it over the raw body, accept any `v1`, and
 * reject old `t` values to stop replays; the integrations check it with a generated copy of the same module.
 */
export function signatureHeader(secrets: string | readonly string[], body: string, at: Date = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  const list = typeof secrets === "string" ? [secrets] : secrets;
  return [`t=${t}`, ...list.map((secret) => `v1=${computeSignature(secret, t, body)}`)].join(",");
}
