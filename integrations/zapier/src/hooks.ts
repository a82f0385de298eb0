import type { Bundle, ZObject } from "zapier-platform-core";
import { api } from "./http";
import { SIGNATURE_HEADER, type EventType } from "./generated/contract";
import { signatureProblem } from "./generated/signature";
import { type LogLike } from "./log";

/** The JSON body Tracira POSTs to a hook subscription (README, "Events and deliveries"). */
export interface EventPayload {
  event: EventType;
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

/** A header of the raw request, whatever its case and with or without Zapier's `Http-` prefix. */
function header(headers: unknown, name: string): string | undefined {
  const parsed =
    typeof headers === "string" ? (JSON.parse(headers) as Record<string, unknown>) : (headers as Record<string, unknown> | undefined);
  for (const [key, value] of Object.entries(parsed ?? {})) {
    if (key.toLowerCase().replace(/^http-/, "") === name.toLowerCase()) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

const REFUSED = {
  missing: "it carries no X-Tracira-Signature",
  malformed: "its X-Tracira-Signature is not t=<seconds>,v1=<hex>",
  stale: "its X-Tracira-Signature is too old (a replay?)",
  mismatch: "its X-Tracira-Signature does not match the body",
} as const;

/**
 * Checks `X-Tracira-Signature` (HMAC-SHA256 of "<t>.<raw body>" with the subscription's signing secret,
 * `t` within the tolerance) with the generated verifier. Without the raw request or the secret there is
 * nothing to check against, and the delivery is refused rather than trusted.
 */
export function verifySignature(z: ZObject, bundle: Bundle, now = Date.now()): void {
  const secret = (bundle.subscribeData as { signingSecret?: string } | undefined)?.signingSecret;
  const raw = bundle.rawRequest as { content?: string; headers?: unknown } | undefined;
  if (!secret)
    throw new z.errors.HaltedError("This Zap's subscription has no signing secret: turn the Zap off and on again to subscribe anew.");
  if (typeof raw?.content !== "string") {
    throw new z.errors.HaltedError("This request cannot be checked: Zapier passed no raw request to verify X-Tracira-Signature against.");
  }
  const problem = signatureProblem(secret, header(raw.headers, SIGNATURE_HEADER), raw.content, now / 1000);
  if (problem) throw new z.errors.HaltedError(`This request did not come from your Tracira server: ${REFUSED[problem]}.`);
}

/** The delivered event, after the signature check. */
export function receivedEvent(z: ZObject, bundle: Bundle): EventPayload {
  verifySignature(z, bundle);
  const body = bundle.cleanedRequest as EventPayload | undefined;
  if (!body?.log?.id) throw new z.errors.HaltedError("Not a Tracira event: the body has no log.");
  return body;
}
