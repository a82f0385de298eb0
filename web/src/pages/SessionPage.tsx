import { useQuery } from "@tanstack/react-query";
import { KpiCard } from "../components/KpiCard";
import { Loadable } from "../components/Loadable";
import { SessionFindings } from "../components/SessionFindings";
import { formatCost } from "../components/SessionTable";
import { SessionLlmCalls, SessionTurns, type SessionMetricsData, type SessionTurn } from "../components/SessionTurns";
import { formatDuration, formatNumber, formatPercent } from "../format";
import { Link, withQuery } from "../router";
import { trpc } from "../trpc";
import { useProjects } from "../hooks/useProjects";

function MetricCards({ metrics, turns }: { metrics: SessionMetricsData; turns: SessionTurn[] }) {
  const cost = turns.reduce((sum, turn) => sum + turn.costUsd, 0);
  return (
    <div className="kpi-grid">
      <KpiCard label="Turns" value={formatNumber(metrics.turnCount)} />
      <KpiCard
        label="Total latency"
        value={formatDuration(metrics.totalLatencyMs)}
        hint={metrics.elapsedMs == null ? "A turn is running" : `${formatDuration(metrics.elapsedMs)} from first to last turn`}
      />
      <KpiCard
        label="Tokens"
        value={formatNumber(metrics.tokens.total)}
        hint={`${formatNumber(metrics.tokens.input)} in · ${formatNumber(metrics.tokens.output)} out · ${formatNumber(metrics.tokens.cachedInput)} cached`}
      />
      <KpiCard label="LLM calls" value={formatNumber(metrics.llmCalls.length)} hint={`Cost ${formatCost(cost)}`} />
      <KpiCard
        label="Tool calls"
        value={formatNumber(metrics.toolCallCount)}
        hint={`${formatPercent(metrics.toolSuccessRate)} succeeded (${formatNumber(metrics.toolErrorCount)} failed)`}
        {...(metrics.toolErrorCount > 0 ? { tone: "error" as const } : {})}
      />
      <KpiCard
        label="Guardrail checks"
        value={formatNumber(metrics.guardrailEvaluationCount)}
        hint={`${formatNumber(metrics.guardrailBlockCount)} blocked (${formatPercent(metrics.guardrailBlockRate)})`}
      />
    </div>
  );
}

/** One session: its metrics, its turns in order (each linking to its log), the analysis' findings, and its CSV export. */
export function SessionPage({ projectId, sessionId }: { projectId: string; sessionId: string }) {
  const ref = { projectId, sessionId };
  const traces = useQuery({ queryKey: ["sessions.traces", ref], queryFn: () => trpc.sessions.traces.query(ref) });
  const metrics = useQuery({ queryKey: ["sessions.metrics", ref], queryFn: () => trpc.sessions.metrics.query(ref) });
  const analysis = useQuery({ queryKey: ["sessions.analysis", ref], queryFn: () => trpc.sessions.analysis.query(ref) });
  const projects = useProjects();
  const project = projects.data?.find((p) => p.id === projectId || p.name === projectId);
  // A plain link: the export route takes the session cookie, and the browser downloads the streamed file.
  const exportUrl = `/api/projects/${encodeURIComponent(projectId)}/sessions/export?${new URLSearchParams({ format: "csv", sessionId })}`;

  // The session's logs on the Logs page, as a typed filter (shareable like any filtered view there).
  const logsUrl = withQuery("/logs", {
    project: project?.name,
    filters: JSON.stringify([{ column: "sessionId", operator: "equals", value: sessionId }]),
  });

  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to={`/sessions?project=${encodeURIComponent(project?.id ?? projectId)}`}>← Sessions of {project?.name ?? "the project"}</Link>
      </p>
      <div className="page-head">
        <h1>
          Session <span className="session-id">{sessionId}</span>
        </h1>
        <div className="session-actions">
          <Link to={logsUrl} className="button secondary">
            Open in Logs
          </Link>
          <a className="button secondary" href={exportUrl} download>
            Export CSV
          </a>
        </div>
      </div>
      <Loadable query={traces}>
        {(data) => (
          <>
            <Loadable query={metrics}>{(m) => <MetricCards metrics={m} turns={data.traces} />}</Loadable>
            <section className="card">
              <h2>Turns</h2>
              <SessionTurns turns={data.traces} />
            </section>
          </>
        )}
      </Loadable>
      <section className="card">
        <h2>Analysis</h2>
        <Loadable query={analysis}>{(a) => <SessionFindings analysis={a} />}</Loadable>
      </section>
      {metrics.data ? (
        <section className="card">
          <h2>LLM calls</h2>
          <SessionLlmCalls calls={metrics.data.llmCalls} />
        </section>
      ) : null}
    </section>
  );
}
