import { apiCode } from "../errors";
import { useTraceDetail } from "../hooks/useTraceTree";
import { Link } from "../router";
import type { LogDetail } from "../trpc";

/**
 * The workflow trace a log was posted from (its W3C traceparent): a link to that trace's log, on the step
 * that posted it. A trace id Tracira holds no trace for (the caller traces elsewhere) is only named.
 */
export function LinkedTrace({ link }: { link: NonNullable<LogDetail["linkedTrace"]> }) {
  const linked = useTraceDetail(link.traceId);
  if (linked.isPending) return null;
  if (linked.isError && apiCode(linked.error) === "not_found") {
    return (
      <p className="muted trace-linked">
        Posted from trace <code>{link.traceId}</code>, which Tracira does not hold.
      </p>
    );
  }
  const to = link.spanId ? `/logs/${link.traceId}?span=${encodeURIComponent(link.spanId)}` : `/logs/${link.traceId}`;
  return (
    <p className="trace-linked" data-testid="linked-trace">
      <Link to={to}>Part of workflow trace {linked.data?.trace.name ?? link.traceId} →</Link>
    </p>
  );
}
