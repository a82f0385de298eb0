import { randomUUID } from "node:crypto";
import type { EventType } from "@tracira/shared";
import type { SqlClient } from "../db/sql";
import { arrayLiteral } from "../db/array-literal";
import { toPayload, type LogEvent } from "./event-log";
import { targetsFor, type HookTarget, type NotifySettings, type TargetSubject } from "./targets";

/**
 * Notification settings and hook subscriptions of the workspaces in a batch, read inside the transaction
 * that changes the logs: a subscription committed before the change is always seen.
 */
export const NOTIFY_SETTINGS = `
SELECT w.id, w.slack_notifications_enabled, w.slack_webhook_url_encrypted IS NOT NULL AS slack_configured,
  w.notify_on_flag, w.notify_on_fail, w.email_notifications_enabled, w.notification_email, w.email_on_flag,
  w.email_on_fail, w.webhook_enabled, w.outbound_webhook_url, w.outbound_webhook_events,
  COALESCE((SELECT json_agg(json_build_object('id', h.id, 'url', h.url, 'events', h.events,
    'projectName', h.project_name, 'taskName', h.task_name) ORDER BY h.created_at)
    FROM hook_subscriptions h WHERE h.workspace_id = w.id), '[]'::json) AS hooks
FROM workspaces w WHERE w.id = ANY($1::uuid[])`;

interface NotifyRow {
  id: string;
  slack_notifications_enabled: boolean;
  slack_configured: boolean;
  notify_on_flag: boolean;
  notify_on_fail: boolean;
  email_notifications_enabled: boolean;
  notification_email: string | null;
  email_on_flag: boolean;
  email_on_fail: boolean;
  webhook_enabled: boolean;
  outbound_webhook_url: string | null;
  outbound_webhook_events: string[] | null;
  hooks: HookTarget[] | string;
}

const INSERT_DELIVERIES = `
INSERT INTO deliveries (id, workspace_id, log_id, hook_subscription_id, kind, event, target, payload)
SELECT u.id::uuid, u.workspace_id::uuid, u.log_id, u.hook_id::uuid, u.kind::delivery_kind, u.event, u.target, u.payload::jsonb
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
  AS u(id, workspace_id, log_id, hook_id, kind, event, target, payload)`;

/**
 * The durable outbox: every event becomes one delivery row per target, written by the caller's
 * transaction, so a state change and its notifications commit (or vanish) together. Senders pick
 * the rows up afterwards; `wake` tells this process's sender there is work.
 */
export class Outbox {
  constructor(private readonly wake: () => void = () => undefined) {}

  /** The notification settings and hook subscriptions of these workspaces. */
  settingsFor(sql: SqlClient, workspaceIds: readonly string[]): Promise<Map<string, NotifySettings>> {
    return loadNotifySettings(sql, [...new Set(workspaceIds)]);
  }

  /**
   * Writes the deliveries of `events` inside `tx`; returns how many. `settings` may be read already
   * (by `settingsFor`, just before the transaction); otherwise they are read inside it.
   */
  async record(tx: SqlClient, events: readonly LogEvent[], settings?: Map<string, NotifySettings>): Promise<number> {
    if (!events.length) return 0;
    settings ??= await this.settingsFor(
      tx,
      events.map((e) => e.row.workspaceId),
    );
    const now = new Date();
    const rows: string[][] = [];
    for (const event of events) {
      const targets = targetsFor(event.type, event.row, settings.get(event.row.workspaceId));
      if (!targets.length) continue;
      const payload = JSON.stringify(toPayload(event, now));
      for (const t of targets) {
        rows.push([randomUUID(), event.row.workspaceId, event.row.id, t.hookId as string, t.kind, event.type, t.target, payload]);
      }
    }
    if (!rows.length) return 0;
    await tx.query(
      INSERT_DELIVERIES,
      rows[0]!.map((_, column) => arrayLiteral(rows.map((r) => r[column] ?? null))),
      "tracira_insert_deliveries",
    );
    return rows.length;
  }

  /** Whether an event of this log would go anywhere. */
  hasTargets(type: EventType, subject: TargetSubject, settings: NotifySettings | undefined): boolean {
    return targetsFor(type, subject, settings).length > 0;
  }

  /** Call after the transaction that recorded deliveries has committed. */
  recorded(count: number): void {
    if (count > 0) this.wake();
  }
}

async function loadNotifySettings(tx: SqlClient, workspaceIds: readonly string[]): Promise<Map<string, NotifySettings>> {
  const rows = await tx.query<NotifyRow>(NOTIFY_SETTINGS, [arrayLiteral(workspaceIds)], "tracira_notify_settings");
  return new Map(
    rows.map((r) => [
      r.id,
      {
        slack: {
          enabled: r.slack_notifications_enabled,
          configured: r.slack_configured,
          onFlag: r.notify_on_flag,
          onFail: r.notify_on_fail,
        },
        email: { enabled: r.email_notifications_enabled, to: r.notification_email, onFlag: r.email_on_flag, onFail: r.email_on_fail },
        webhook: { enabled: r.webhook_enabled, url: r.outbound_webhook_url, events: r.outbound_webhook_events ?? [] },
        hooks: typeof r.hooks === "string" ? (JSON.parse(r.hooks) as HookTarget[]) : r.hooks,
      },
    ]),
  );
}
