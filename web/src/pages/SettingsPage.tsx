import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { FormError } from "../components/FormError";
import { Tabs } from "../components/Tabs";
import { isForbidden } from "../errors";
import { Redirect } from "../router";
import { trpc, type Settings } from "../trpc";
import { IntegrationsTab } from "./settings/IntegrationsTab";
import { JudgesTab } from "./settings/JudgesTab";
import { MembersTab } from "./settings/MembersTab";
import { NotificationsTab } from "./settings/NotificationsTab";

const TABS: { slug: string; label: string; render: (settings: Settings) => ReactNode }[] = [
  { slug: "integrations", label: "Integrations", render: () => <IntegrationsTab /> },
  { slug: "notifications", label: "Notifications", render: (settings) => <NotificationsTab settings={settings} /> },
  { slug: "judges", label: "Judges", render: (settings) => <JudgesTab settings={settings} /> },
  { slug: "members", label: "Members", render: () => <MembersTab /> },
];

export function SettingsPage({ tab }: { tab: string }) {
  const settings = useQuery({ queryKey: ["settings.get"], queryFn: () => trpc.settings.get.query() });
  const current = TABS.find((candidate) => candidate.slug === tab);
  if (!current) return <Redirect to="/settings/integrations" />;

  if (isForbidden(settings.error)) {
    return (
      <section className="page">
        <h1>Settings</h1>
        <p className="notice" data-testid="settings-forbidden">
          Only workspace admins can open Settings.
        </p>
      </section>
    );
  }

  return (
    <section className="page">
      <h1>Settings</h1>
      <Tabs tabs={TABS.map((t) => ({ to: `/settings/${t.slug}`, label: t.label }))} current={`/settings/${current.slug}`} />
      {settings.isPending ? <p className="muted">Loading…</p> : null}
      <FormError error={settings.error} />
      {settings.data ? <div className="tab-body">{current.render(settings.data)}</div> : null}
    </section>
  );
}
