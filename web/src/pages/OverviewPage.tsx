import { useQuery } from "@tanstack/react-query";
import { KpiCard } from "../components/KpiCard";
import { Loadable } from "../components/Loadable";
import { Onboarding } from "../components/Onboarding";
import { RunsChart } from "../components/RunsChart";
import { formatMoney, formatNumber, formatPercent } from "../format";
import { Link } from "../router";
import { trpc, type Overview } from "../trpc";

const DAYS = 14;

function Kpis({ overview }: { overview: Overview }) {
  return (
    <div className="kpi-grid">
      <KpiCard label="Total runs" value={formatNumber(overview.totalRuns)} hint={`Last ${DAYS} days`} />
      <KpiCard label="Failure rate" value={formatPercent(overview.failureRate)} hint={`${formatNumber(overview.flaggedCount)} flagged`} />
      <KpiCard
        label="Pending reviews"
        value={formatNumber(overview.pendingReviews)}
        hint={<Link to="/review">Start reviewing</Link>}
        {...(overview.pendingReviews > 0 ? { tone: "flagged" as const } : {})}
      />
      <KpiCard
        label="Incident cost avoided"
        value={formatMoney(overview.incidentCostAvoidedUsd)}
        hint={
          overview.estimatedIncidentCostUsd == null
            ? "Set an estimated incident cost in Settings → Notifications"
            : `${formatMoney(overview.estimatedIncidentCostUsd)} per incident`
        }
      />
    </div>
  );
}

const ANY_LOG = { limit: "1" };

export function OverviewPage() {
  const overview = useQuery({
    queryKey: ["analytics.overview", { days: DAYS }],
    queryFn: () => trpc.analytics.overview.query({ days: DAYS }),
  });
  /** The onboarding hint is for a workspace without any log (not just none in the period). */
  const anyLog = useQuery({ queryKey: ["logs.list", ANY_LOG], queryFn: () => trpc.logs.list.query(ANY_LOG) });
  return (
    <section className="page">
      <h1>Overview</h1>
      <Loadable query={overview}>
        {(data) => (
          <>
            {anyLog.data?.total === 0 ? <Onboarding /> : null}
            <Kpis overview={data} />
            <section className="card">
              <h2>Runs per day</h2>
              <RunsChart days={data.days} />
            </section>
          </>
        )}
      </Loadable>
    </section>
  );
}
