import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { AppliedRulesTable } from "../components/AppliedRulesTable";
import { AttachmentList } from "../components/AttachmentList";
import { DecisionBlock } from "../components/DecisionBlock";
import { DeliveryTable } from "../components/DeliveryTable";
import { EvaluationList } from "../components/EvaluationList";
import { Facts } from "../components/Facts";
import { LinkedTrace } from "../components/LinkedTrace";
import { Loadable } from "../components/Loadable";
import { TextBlock } from "../components/TextBlock";
import { TraceSection } from "../components/TraceSection";
import { useTraceDetail } from "../hooks/useTraceTree";
import { formatConfidence, formatDateTime, formatMoney, StatusBadge } from "../format";
import { Link, useLocation } from "../router";
import { trpc, type LogDetail, type TraceDetail } from "../trpc";

function Deliveries({ logId }: { logId: string }) {
  const deliveries = useQuery({ queryKey: ["deliveries.list", { logId }], queryFn: () => trpc.deliveries.list.query({ logId }) });
  return <Loadable query={deliveries}>{(data) => <DeliveryTable deliveries={data.deliveries} />}</Loadable>;
}

function Summary({ log }: { log: LogDetail }) {
  return (
    <Facts
      items={[
        ["Status", <StatusBadge key="s" status={log.status} />],
        ["Confidence score", formatConfidence(log.confidenceScore)],
        ["Reported confidence", log.confidence == null ? null : formatConfidence(log.confidence)],
        ["Time", formatDateTime(log.timestamp)],
        ["Evaluated", log.evaluatedAt ? formatDateTime(log.evaluatedAt) : null],
        ["Project", log.projectName],
        ["Task", log.taskName],
        ["Model", log.model],
        ["Latency", log.latencyMs == null ? null : `${log.latencyMs} ms`],
        ["Cost", log.costUsd == null ? null : formatMoney(log.costUsd)],
      ]}
    />
  );
}

function Context({ log }: { log: LogDetail }) {
  return (
    <>
      <Facts
        items={[
          ["Session", log.sessionId ? `${log.sessionId} (${log.sessionTurnCount} turns)` : null],
          ["Subject", log.subjectId],
          ["Actor", log.actorId],
          [
            "Tags",
            log.tags.length
              ? log.tags.map((tag) => (
                  <span key={tag} className="tag">
                    {tag}
                  </span>
                ))
              : null,
          ],
          ["Callback URL", log.callbackUrl],
          ["Callback events", log.callbackEvents],
          ["Log id", <code key="id">{log.id}</code>],
        ]}
      />
      {log.metadata ? (
        <>
          <h3>Metadata</h3>
          <TextBlock value={log.metadata} testId="log-metadata" />
        </>
      ) : null}
    </>
  );
}

/** The trace's own evaluations (not a span's): the rules', the judges' and those callers posted. */
function Evaluations({ trace }: { trace: UseQueryResult<TraceDetail> }) {
  return (
    <Loadable query={trace}>
      {(data) => (
        <EvaluationList
          evaluations={data.evaluations.filter((e) => e.span_id === null)}
          empty="No evaluation of this log yet."
          testId="log-evaluations"
        />
      )}
    </Loadable>
  );
}

function Detail({ log, trace, spanId }: { log: LogDetail; trace: UseQueryResult<TraceDetail>; spanId: string | null }) {
  return (
    <>
      <div className="page-head">
        <h1>
          {log.projectName}
          {log.taskName ? ` / ${log.taskName}` : ""}
        </h1>
        <StatusBadge status={log.status} />
      </div>
      {log.linkedTrace ? <LinkedTrace link={log.linkedTrace} /> : null}
      {trace.data?.spans.length ? <TraceSection detail={trace.data} initialSpanId={spanId} /> : null}
      <div className="detail-grid">
        <div className="detail-main">
          <section className="card">
            <h2>Output</h2>
            <TextBlock value={log.output} testId="log-output" />
          </section>
          <section className="card">
            <h2>Input</h2>
            <TextBlock value={log.input ?? log.inputText} testId="log-input" />
          </section>
          <section className="card">
            <h2>Explanation</h2>
            <p data-testid="log-explanation">{log.explanation ?? <span className="muted">Not evaluated yet.</span>}</p>
            <h3>Applied rules</h3>
            <AppliedRulesTable rules={log.appliedRules} />
          </section>
          <section className="card">
            <h2>Evaluations</h2>
            <Evaluations trace={trace} />
          </section>
          <section className="card">
            <h2>Attachments</h2>
            <AttachmentList attachments={log.attachments} />
          </section>
          <section className="card">
            <h2>Deliveries</h2>
            <Deliveries logId={log.id} />
          </section>
        </div>
        <aside className="detail-side">
          <section className="card">
            <h2>Decision</h2>
            <DecisionBlock log={log} />
          </section>
          <section className="card">
            <h2>Summary</h2>
            <Summary log={log} />
          </section>
          <section className="card">
            <h2>Context</h2>
            <Context log={log} />
          </section>
        </aside>
      </div>
    </>
  );
}

export function LogDetailPage({ id }: { id: string }) {
  const log = useQuery({ queryKey: ["logs.get", { id }], queryFn: () => trpc.logs.get.query({ id }) });
  // A log is a trace root (trace id = log id): its trace loads beside it.
  const trace = useTraceDetail(id);
  // `?span=<id>` opens the trace on that step (links from a log posted inside a workflow's trace).
  const spanId = useLocation().search.get("span");
  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/logs">← Log list</Link>
      </p>
      <Loadable query={log}>{(data) => <Detail log={data} trace={trace} spanId={spanId} />}</Loadable>
    </section>
  );
}
