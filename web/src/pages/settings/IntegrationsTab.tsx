import { useQuery } from "@tanstack/react-query";
import { CurlExample } from "../../components/CurlExample";
import { DeliveryTable } from "../../components/DeliveryTable";
import { HooksSection } from "../../components/HooksSection";
import { Loadable } from "../../components/Loadable";
import { SigningSecretCard } from "../../components/SigningSecretCard";
import { WebhookTokenCard } from "../../components/WebhookTokenCard";
import { useIsAdmin } from "../../session";
import { trpc } from "../../trpc";

function RecentDeliveries() {
  const deliveries = useQuery({ queryKey: ["deliveries.list", { limit: 20 }], queryFn: () => trpc.deliveries.list.query({ limit: 20 }) });
  return <Loadable query={deliveries}>{(data) => <DeliveryTable deliveries={data.deliveries} showLog />}</Loadable>;
}

export function IntegrationsTab() {
  const admin = useIsAdmin();
  const token = useQuery({ queryKey: ["settings.webhookToken"], queryFn: () => trpc.settings.webhookToken.query() });
  return (
    <>
      <WebhookTokenCard token={token} />
      <section className="card">
        <h2>Send a log</h2>
        <p className="muted">n8n, Zapier and Make send the same request: the token goes in the Authorization header.</p>
        <CurlExample token={token.data?.webhookToken} />
      </section>
      <HooksSection />
      {admin ? <SigningSecretCard /> : null}
      <section className="card">
        <h2>Recent deliveries</h2>
        <RecentDeliveries />
      </section>
    </>
  );
}
