import { formatDateTime, formatDuration, formatMoney, formatNumber } from "../format";
import { Link, navigate } from "../router";
import type { RouterOutputs } from "../trpc";

export type SessionRow = RouterOutputs["sessions"]["list"]["sessions"][number];

const smallMoney = new Intl.NumberFormat(undefined, { style: "currency", currency: "USD", maximumSignificantDigits: 3 });

/** Model calls cost fractions of a cent: below a dollar, three significant digits ($0.00152). */
export const formatCost = (usd: number | null | undefined) =>
  usd == null ? "—" : usd > 0 && usd < 1 ? smallMoney.format(usd) : formatMoney(usd);

export const sessionPath = (projectId: string, sessionId: string) =>
  `/sessions/${encodeURIComponent(projectId)}/${encodeURIComponent(sessionId)}`;

/** One word for a session: running while a turn is open, else flagged, else failed spans, else ok. */
function SessionStatus({ session }: { session: SessionRow }) {
  const [tone, text] =
    session.runningCount > 0
      ? ["pending", "running"]
      : session.flaggedCount > 0
        ? ["flagged", `${session.flaggedCount} flagged`]
        : session.errorCount > 0
          ? ["error", "errors"]
          : ["pass", "ok"];
  return <span className={`badge badge-${tone}`}>{text}</span>;
}

export function SessionTable({ projectId, sessions }: { projectId: string; sessions: SessionRow[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="sessions">
        <thead>
          <tr>
            <th>Session</th>
            <th>Turns</th>
            <th>First turn</th>
            <th>Last activity</th>
            <th>Latency</th>
            <th>Tokens in / out</th>
            <th>Cost</th>
            <th>LLM / tool calls</th>
            <th>Errors</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => {
            const href = sessionPath(projectId, session.sessionId);
            return (
              <tr
                key={session.sessionId}
                className="clickable"
                data-testid="session-row"
                data-session-id={session.sessionId}
                onClick={() => navigate(href)}
              >
                <td>
                  <Link to={href}>{session.sessionId}</Link>
                </td>
                <td>{formatNumber(session.traceCount)}</td>
                <td className="nowrap">{formatDateTime(session.firstStartedAt)}</td>
                <td className="nowrap">{formatDateTime(session.lastActivityAt)}</td>
                <td className="nowrap">{formatDuration(session.totalLatencyMs)}</td>
                <td className="nowrap">
                  {formatNumber(session.inputTokens)} / {formatNumber(session.outputTokens)}
                </td>
                <td>{formatCost(session.costUsd)}</td>
                <td>
                  {formatNumber(session.llmCallCount)} / {formatNumber(session.toolCallCount)}
                </td>
                <td>{formatNumber(session.errorCount)}</td>
                <td>
                  <SessionStatus session={session} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
