import { useState, type FormEvent } from "react";
import { Checkbox } from "../../components/Checkbox";
import { EventChecklist } from "../../components/EventChecklist";
import { Field } from "../../components/Field";
import { SaveBar } from "../../components/SaveBar";
import { SecretField } from "../../components/SecretField";
import { isHookEvent } from "../../enums";
import { fieldError } from "../../errors";
import { useSettingsUpdate } from "../../hooks/useSettingsUpdate";
import type { Settings, UpdateSettingsInput } from "../../trpc";

const formOf = (s: Settings) => ({
  slackNotificationsEnabled: s.slackNotificationsEnabled,
  slackWebhookUrl: undefined as string | null | undefined,
  slackChannelId: s.slackChannelId ?? "",
  notifyOnFlag: s.notifyOnFlag,
  notifyOnFail: s.notifyOnFail,
  emailNotificationsEnabled: s.emailNotificationsEnabled,
  notificationEmail: s.notificationEmail ?? "",
  emailOnFlag: s.emailOnFlag,
  emailOnFail: s.emailOnFail,
  webhookEnabled: s.webhookEnabled,
  outboundWebhookUrl: s.outboundWebhookUrl ?? "",
  outboundWebhookEvents: s.outboundWebhookEvents.filter(isHookEvent),
  estimatedIncidentCostUsd: s.estimatedIncidentCostUsd == null ? "" : String(s.estimatedIncidentCostUsd),
});
type Form = ReturnType<typeof formOf>;

/** Emptied text fields are sent as "" (which clears them); the Slack URL only when replaced or removed. */
function toBody(form: Form): UpdateSettingsInput {
  const { slackWebhookUrl, ...rest } = form;
  return { ...rest, ...(slackWebhookUrl !== undefined ? { slackWebhookUrl } : {}) };
}

export function NotificationsTab({ settings }: { settings: Settings }) {
  const [form, setForm] = useState(() => formOf(settings));
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((current) => ({ ...current, [key]: value }));
  const save = useSettingsUpdate();
  const error = save.error;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(toBody(form), { onSuccess: () => set("slackWebhookUrl", undefined) });
  };

  return (
    <form className="form settings-form" onSubmit={submit} noValidate>
      <section className="card">
        <h2>Slack</h2>
        <Checkbox
          label="Send Slack notifications"
          checked={form.slackNotificationsEnabled}
          onChange={(v) => set("slackNotificationsEnabled", v)}
        />
        <SecretField
          label="Slack webhook URL"
          masked={settings.slackWebhookUrl}
          value={form.slackWebhookUrl}
          onChange={(v) => set("slackWebhookUrl", v)}
          error={fieldError(error, "slackWebhookUrl")}
          placeholder="https://hooks.slack.com/services/…"
        />
        <Field label="Slack channel ID" error={fieldError(error, "slackChannelId")}>
          {(control) => <input {...control} value={form.slackChannelId} onChange={(e) => set("slackChannelId", e.target.value)} />}
        </Field>
        <Checkbox label="Notify when a log is flagged" checked={form.notifyOnFlag} onChange={(v) => set("notifyOnFlag", v)} />
        <Checkbox label="Notify when a log errors" checked={form.notifyOnFail} onChange={(v) => set("notifyOnFail", v)} />
      </section>
      <section className="card">
        <h2>E-mail</h2>
        <Checkbox
          label="Send e-mail notifications"
          checked={form.emailNotificationsEnabled}
          onChange={(v) => set("emailNotificationsEnabled", v)}
        />
        <Field label="Notification e-mail" error={fieldError(error, "notificationEmail")}>
          {(control) => (
            <input
              {...control}
              type="email"
              value={form.notificationEmail}
              placeholder="alerts@example.com"
              onChange={(e) => set("notificationEmail", e.target.value)}
            />
          )}
        </Field>
        <Checkbox label="E-mail when a log is flagged" checked={form.emailOnFlag} onChange={(v) => set("emailOnFlag", v)} />
        <Checkbox label="E-mail when a log errors" checked={form.emailOnFail} onChange={(v) => set("emailOnFail", v)} />
      </section>
      <section className="card">
        <h2>Outbound webhook</h2>
        <Checkbox label="Send events to an outbound webhook" checked={form.webhookEnabled} onChange={(v) => set("webhookEnabled", v)} />
        <Field label="Outbound webhook URL" error={fieldError(error, "outboundWebhookUrl")}>
          {(control) => (
            <input
              {...control}
              type="url"
              value={form.outboundWebhookUrl}
              placeholder="https://example.com/hooks/tracira"
              onChange={(e) => set("outboundWebhookUrl", e.target.value)}
            />
          )}
        </Field>
        <EventChecklist
          legend="Outbound webhook events"
          value={form.outboundWebhookEvents}
          onChange={(events) => set("outboundWebhookEvents", events)}
          error={fieldError(error, "outboundWebhookEvents")}
        />
      </section>
      <section className="card">
        <h2>Incident cost</h2>
        <Field
          label="Estimated incident cost (USD)"
          error={fieldError(error, "estimatedIncidentCostUsd")}
          hint="What one bad output reaching a customer costs you; the overview multiplies it by the incidents caught."
        >
          {(control) => (
            <input
              {...control}
              inputMode="decimal"
              value={form.estimatedIncidentCostUsd}
              placeholder="250"
              onChange={(e) => set("estimatedIncidentCostUsd", e.target.value)}
            />
          )}
        </Field>
      </section>
      <SaveBar saving={save.isPending} saved={save.isSuccess} error={error} label="Save notifications" />
    </form>
  );
}
