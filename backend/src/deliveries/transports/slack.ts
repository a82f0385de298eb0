import type { UrlGuard } from "../../outbound";
import type { StoredPayload } from "../event-log";
import { noticeFor, type Notice } from "../notice";
import type { ClaimedDelivery } from "../store";
import { postJson } from "./http-post";
import type { SendOutcome, Transport } from "./types";

/** Slack incoming webhooks: the URL is a workspace secret, read (decrypted) when sending. */
export class SlackTransport implements Transport {
  constructor(
    private readonly guard: UrlGuard,
    private readonly webhookUrl: (workspaceId: string) => Promise<string | null>,
    private readonly timeoutMs: number,
    private readonly publicUrl: string | undefined,
  ) {}

  async send(d: ClaimedDelivery, signal: AbortSignal): Promise<SendOutcome> {
    const url = await this.webhookUrl(d.workspaceId);
    if (!url)
      return {
        ok: false,
        responseStatus: null,
        error: "no Slack webhook URL is set any more (Settings → Notifications)",
        retryable: false,
      };
    return postJson(this.guard, url, JSON.stringify(slackMessage(d.payload, this.publicUrl)), {}, this.timeoutMs, signal);
  }
}

/** Slack's mrkdwn treats these three as markup. */
const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackMessage(p: StoredPayload, publicUrl: string | undefined): { text: string; blocks: unknown[] } {
  const n: Notice = noticeFor(p, publicUrl);
  const icon = p.status === "flagged" ? ":warning:" : ":x:";
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: `${icon} *${escape(n.title)}*` } },
    { type: "section", fields: n.facts.map((f) => ({ type: "mrkdwn", text: `*${escape(f.label)}*\n${escape(f.value)}` })).slice(0, 10) },
  ];
  if (n.explanation)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `>${escape(n.explanation.slice(0, 2800)).replace(/\n/g, "\n>")}` } });
  if (n.link) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${n.link}|Open the log in Tracira>` }] });
  return { text: `${n.title}${n.explanation ? ` — ${n.explanation.slice(0, 300)}` : ""}`, blocks };
}
