import nodemailer, { type Transporter } from "nodemailer";
import type { StoredPayload } from "../event-log";
import { noticeFor } from "../notice";
import type { ClaimedDelivery } from "../store";
import type { SendOutcome, Transport } from "./types";

/** E-mail alerts through the SMTP server in `SMTP_URL` (nodemailer: SMTP, STARTTLS and auth done right). */
export class EmailTransport implements Transport {
  private readonly mailer: Transporter | undefined;

  constructor(
    smtpUrl: string | undefined,
    private readonly from: string,
    private readonly timeoutMs: number,
    private readonly publicUrl: string | undefined,
  ) {
    this.mailer = smtpUrl
      ? nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs })
      : undefined;
  }

  async send(d: ClaimedDelivery): Promise<SendOutcome> {
    if (!this.mailer) {
      return {
        ok: false,
        responseStatus: null,
        error: "e-mail is not configured on this server: set SMTP_URL (see the README)",
        retryable: false,
      };
    }
    try {
      await this.mailer.sendMail({
        from: this.from,
        to: d.target,
        ...emailMessage(d.payload, this.publicUrl),
        headers: { "X-Tracira-Delivery": d.id },
      });
      return { ok: true, responseStatus: null, error: null, retryable: false };
    } catch (err) {
      const e = err as Error & { responseCode?: number };
      // 5xx from the SMTP server is permanent (bad address, refused); 4xx and connection trouble pass.
      const permanent = typeof e.responseCode === "number" && e.responseCode >= 500;
      return { ok: false, responseStatus: e.responseCode ?? null, error: `SMTP: ${e.message}`, retryable: !permanent };
    }
  }

  close(): void {
    this.mailer?.close();
  }
}

export function emailMessage(p: StoredPayload, publicUrl: string | undefined): { subject: string; text: string } {
  const n = noticeFor(p, publicUrl);
  const lines = [n.title, "", ...n.facts.map((f) => `${f.label}: ${f.value}`)];
  if (n.explanation) lines.push("", "Why:", n.explanation);
  if (n.link) lines.push("", `Open the log: ${n.link}`);
  lines.push("", "— Tracira (change these alerts in Settings → Notifications)");
  return { subject: `[Tracira] ${n.title}`, text: lines.join("\n") };
}
