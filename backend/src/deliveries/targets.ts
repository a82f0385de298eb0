import type { CallbackEvents, DeliveryKind, EventType, Verdict } from "@tracira/shared";
import type { LogRecord } from "../projections/log";
import { hookEventOf } from "./event-log";

/** What decides where an event goes: the log's own callback and where it belongs. */
export type TargetSubject = Pick<LogRecord, "status" | "callbackUrl" | "callbackEvents" | "projectName" | "taskName">;

/** A workspace's notification settings and hook subscriptions, as the outbox reads them. */
export interface NotifySettings {
  slack: { enabled: boolean; configured: boolean; onFlag: boolean; onFail: boolean };
  email: { enabled: boolean; to: string | null; onFlag: boolean; onFail: boolean };
  webhook: { enabled: boolean; url: string | null; events: string[] };
  hooks: HookTarget[];
}

export interface HookTarget {
  id: string;
  url: string;
  events: string[];
  projectName: string | null;
  taskName: string | null;
}

export interface Target {
  kind: DeliveryKind;
  /** A URL, an e-mail address, or (Slack, whose URL is a secret) a label: the URL is read when sending. */
  target: string;
  hookId: string | null;
}

export const SLACK_TARGET = "slack:workspace-webhook";

/** The SPEC's `callbackEvents` table: which events a log's own `callbackUrl` receives. */
export function callbackWants(events: CallbackEvents, type: EventType, status: Verdict): boolean {
  const nonPass = type === "log.evaluated" && status !== "pass";
  switch (events) {
    case "all":
      return true;
    case "flagged_error":
      return nonPass;
    case "pass":
      return type === "log.evaluated" && status === "pass";
    case "decisions":
      return type === "log.decided";
    case "flagged_error_decisions":
      return nonPass || type === "log.decided";
  }
}

/** Whether a subscription to `events` (hook or outbound-webhook vocabulary) wants this event. */
export function subscriptionWants(events: readonly string[], type: EventType, status: Verdict): boolean {
  if (type === "log.decided") return events.includes("log.decided");
  return events.includes("log.evaluated") || events.includes(hookEventOf(type, status));
}

/** Where one event goes. Slack and e-mail only hear of evaluations that flag or fail. */
export function targetsFor(type: EventType, row: TargetSubject, settings: NotifySettings | undefined): Target[] {
  const status: Verdict = row.status === "pending" ? "error" : row.status;
  const targets: Target[] = [];
  if (row.callbackUrl && callbackWants(row.callbackEvents, type, status)) {
    targets.push({ kind: "callback", target: row.callbackUrl, hookId: null });
  }
  if (!settings) return targets;
  for (const hook of settings.hooks) {
    if (hook.projectName !== null && hook.projectName !== row.projectName) continue;
    if (hook.taskName !== null && hook.taskName !== row.taskName) continue;
    if (subscriptionWants(hook.events, type, status)) targets.push({ kind: "hook", target: hook.url, hookId: hook.id });
  }
  const alert = type === "log.evaluated" && status !== "pass";
  const wantsAlert = (on: { onFlag: boolean; onFail: boolean }) => alert && (status === "flagged" ? on.onFlag : on.onFail);
  if (settings.slack.enabled && settings.slack.configured && wantsAlert(settings.slack)) {
    targets.push({ kind: "slack", target: SLACK_TARGET, hookId: null });
  }
  if (settings.email.enabled && settings.email.to && wantsAlert(settings.email)) {
    targets.push({ kind: "email", target: settings.email.to, hookId: null });
  }
  const { webhook } = settings;
  // An enabled webhook with no event list gets every event.
  if (webhook.enabled && webhook.url && (!webhook.events.length || subscriptionWants(webhook.events, type, status))) {
    targets.push({ kind: "webhook", target: webhook.url, hookId: null });
  }
  return targets;
}
