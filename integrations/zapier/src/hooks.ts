import { createHmac, timingSafeEqual } from "node:crypto";
import type { Bundle, ZObject } from "zapier-platform-core";
import { api } from "./http";
import { type LogLike } from "./log";

/** The JSON body Tracira POSTs to a hook subscription (README, "Events and deliveries"). */
export interface EventPayload {
  event: "log.evaluated" | "log.decided";
  deliveryId: string;
  occurredAt: string;
  id: string;
  status: string;
  humanDecision: string | null;
  log: LogLike;
}

interface CreatedHook {
  id: string;
  signingSecret: string;
}

/** `POST /api/hooks` for the Zap's webhook URL; the answer (id, signing secret) becomes `bundle.subscribeData`. */
export function subscribe(z: ZObject, bundle: Bundle, events: string[]): Promise<CreatedHook> {
  return api<CreatedHook>(z, bundle, "/api/hooks", {
    method: "POST",
    body: {
      url: bundle.targetUrl,
      events,
      project: (bundle.inputData.project as string) || undefined,
      task: (bundle.inputData.task as string) || undefined,
      source: "zapier",
    },
  });
}

/** `DELETE /api/hooks/:id` when the Zap is turned off. */
export async function unsubscribe(z: ZObject, bundle: Bundle): Promise<unknown> {
  const id = (bundle.subscribeData as { id?: string } | undefined)?.id;
  if (!id) throw new z.errors.Error("This Zap has no Tracira subscription to remove.", "missing_subscription", 400);
  return api(z, bundle, `/api/hooks/${encodeURIComponent(id)}`, { method: "DELETE", allowNotFound: true });
}

const MAX_SIGNATURE_AGE_S = 300;

/** A header of the raw request, whatever its case and with or without Zapier's `Http-` prefix. */
function header(headers: unknown, name: string): string | undefined {
  const parsed = typeof headers === "string" ? (JSON.parse(headers) as Record<string, unknown>) : (headers as Record<string, unknown> | undefined);
  for (const [key, value] of Object.entries(parsed ?? {})) {
    if (key.toLowerCase().replace(/^http-/, "") === name) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

/**
 * Checks `X-Tracira-Signature` (HMAC-SHA256 of "<t>.<raw body>" with the signing secret from the
 * subscription) when Zapier hands over the raw request; a wrong or stale signature stops the Zap.
 */
export function verifySignature(z: ZObject, bundle: Bundle, now = Date.now()): void {
  const secret = (bundle.subscribeData as { signingSecret?: string } | undefined)?.signingSecret;
  const raw = bundle.rawRequest as { content?: string; headers?: unknown } | undefined;
  if (!secret || typeof raw?.content !== "string") return; // nothing to check against
  const signature = header(raw.headers, "x-tracira-signature") ?? "";
  const parts = Object.fromEntries(signature.split(",").map((kv) => kv.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  const expected = createHmac("sha256", secret).update(`${parts.t}.${raw.content}`).digest("hex");
  const given = Buffer.from(parts.v1 ?? "", "utf8");
  const valid = given.length === expected.length && timingSafeEqual(given, Buffer.from(expected, "utf8"));
  if (!valid || !Number.isFinite(t) || Math.abs(now / 1000 - t) > MAX_SIGNATURE_AGE_S) {
    throw new z.errors.HaltedError("This request did not come from your Tracira server (missing, wrong or stale X-Tracira-Signature).");
  }
}

/** The delivered event, after the signature check. */
export function receivedEvent(z: ZObject, bundle: Bundle): EventPayload {
  verifySignature(z, bundle);
  const body = bundle.cleanedRequest as EventPayload | undefined;
  if (!body?.log?.id) throw new z.errors.HaltedError("Not a Tracira event: the body has no log.");
  return body;
}
