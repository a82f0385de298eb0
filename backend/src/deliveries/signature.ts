import { signatureHeaderValue } from "@tracira/shared/portable/signature";

/**
 * `X-Tracira-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the workspace
 * signing secret as UTF-8 text (the whole `whsec_…` string). Receivers recompute it over the raw body and
 * reject old `t` values to stop replays; the integrations check it with a generated copy of the same module.
 */
export function signatureHeader(secret: string, body: string, at: Date = new Date()): string {
  return signatureHeaderValue(secret, body, at.getTime() / 1000);
}
