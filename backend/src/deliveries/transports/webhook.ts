import type { UrlGuard } from "../../outbound";
import { signatureHeader } from "../signature";
import type { SigningSecrets } from "../signing-secrets";
import type { ClaimedDelivery } from "../store";
import { postJson } from "./http-post";
import type { SendOutcome, Transport } from "./types";

/** Callbacks, hook subscriptions and the outbound webhook: the event as signed JSON. */
export class WebhookTransport implements Transport {
  constructor(
    private readonly guard: UrlGuard,
    private readonly secrets: SigningSecrets,
    private readonly timeoutMs: number,
  ) {}

  async send(d: ClaimedDelivery, signal: AbortSignal): Promise<SendOutcome> {
    const body = JSON.stringify({ ...d.payload, deliveryId: d.id });
    const secrets =
      d.kind === "hook" && d.hookId ? await this.secrets.forHook(d.workspaceId, d.hookId) : await this.secrets.forWorkspace(d.workspaceId);
    return postJson(
      this.guard,
      d.target,
      body,
      {
        "x-tracira-event": d.event,
        "x-tracira-delivery": d.id,
        "x-tracira-attempt": String(d.attempt),
        "x-tracira-signature": signatureHeader(secrets, body),
      },
      this.timeoutMs,
      signal,
    );
  }
}
