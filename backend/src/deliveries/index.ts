import type { Config } from "../config";
import type { SqlClient } from "../db/sql";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { UrlGuard } from "../outbound";
import type { SecretBox } from "../secrets/secret-box";
import { Outbox } from "./outbox";
import { DeliverySender } from "./sender";
import { SigningSecrets } from "./signing-secrets";
import { EmailTransport } from "./transports/email";
import { SlackTransport } from "./transports/slack";
import { WebhookTransport } from "./transports/webhook";

/** Events in, notifications out: the outbox every state change writes to, and the sender that empties it. */
export interface DeliveryRuntime {
  outbox: Outbox;
  sender: DeliverySender;
  signingSecrets: SigningSecrets;
  close(graceMs?: number): Promise<void>;
}

export function createDeliveries(
  sql: SqlClient,
  config: Config,
  logger: Logger,
  secrets: SecretBox,
  guard: UrlGuard,
  slackWebhookUrl: (workspaceId: string) => Promise<string | null>,
  metrics: Metrics,
): DeliveryRuntime {
  const c = config.deliveries;
  const signingSecrets = new SigningSecrets(sql, secrets);
  const webhook = new WebhookTransport(guard, signingSecrets, c.timeoutMs);
  const email = new EmailTransport(c.smtpUrl, c.smtpFrom, c.timeoutMs, config.publicUrl);
  const sender = new DeliverySender(
    sql,
    {
      callback: webhook,
      hook: webhook,
      webhook,
      slack: new SlackTransport(guard, slackWebhookUrl, c.timeoutMs, config.publicUrl),
      email,
    },
    logger,
    {
      concurrency: c.concurrency,
      pollMs: c.pollMs,
      timeoutMs: c.timeoutMs,
      backoff: { baseMs: c.backoffMs, maxMs: c.backoffMaxMs, windowMs: c.retryWindowMs },
    },
    metrics,
  );
  return {
    outbox: new Outbox(() => sender.notify()),
    sender,
    signingSecrets,
    async close(graceMs) {
      await sender.stop(graceMs);
      email.close();
    },
  };
}
