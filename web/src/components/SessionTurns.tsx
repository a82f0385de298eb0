import { formatDateTime, formatDuration, formatNumber, StatusBadge } from "../format";
import { Link } from "../router";
import type { RouterOutputs } from "../trpc";
import { formatCost } from "./SessionTable";

export type SessionTurn = RouterOutputs["sessions"]["traces"]["traces"][number];
export type SessionMetricsData = RouterOutputs["sessions"]["metrics"];

const EXECUTION_TONE: Record<SessionTurn["executionStatus"], string> = { ok: "pass", error: "error", running: "pending" };

const logPath = (traceId: string) => `/logs/${encodeURIComponent(traceId)}`;

/** The session's turns (its traces) in order, each linking to its log. */
export function SessionTurns({ turns }: { turns: SessionTurn[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="session-turns">
        <thead>
          <tr>
            <th>Turn</th>
            <th>Trace</th>
            <th>Started</th>
            <th>Duration</th>
            <th>Verdict</th>
            <th>Execution</th>
            <th>Spans</th>
            <th>Errors</th>
            <th>Tokens in / out</th>
            <th>Cost</th>
          </tr>
        </thead>
        <tbody>
          {turns.map((turn) => (
            <tr key={turn.traceId} data-testid="session-turn" data-trace-id={turn.traceId}>
              <td>{turn.turn}</td>
              <td>
                <Link to={logPath(turn.traceId)}>{turn.name}</Link>
                <div className="muted small">{turn.traceId}</div>
              </td>
              <td className="nowrap">{formatDateTime(turn.startedAt)}</td>
              <td className="nowrap">{turn.endedAt ? formatDuration(turn.durationMs) : "running"}</td>
              <td>
                <StatusBadge status={turn.status} />
              </td>
              <td>
                <span className={`badge badge-${EXECUTION_TONE[turn.executionStatus]}`}>{turn.executionStatus}</span>
              </td>
              <td>{formatNumber(turn.spanCount)}</td>
              <td>{formatNumber(turn.errorCount)}</td>
              <td className="nowrap">
                {formatNumber(turn.inputTokens)} / {formatNumber(turn.outputTokens)}
              </td>
              <td>{formatCost(turn.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every LLM call of the session with its tokens (the metrics' `llmCalls`). */
export function SessionLlmCalls({ calls }: { calls: SessionMetricsData["llmCalls"] }) {
  if (calls.length === 0) return <p className="muted">No LLM calls in this session.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="session-llm-calls">
        <thead>
          <tr>
            <th>Turn</th>
            <th>Span</th>
            <th>Model</th>
            <th>Input</th>
            <th>Output</th>
            <th>Cached</th>
            <th>Total</th>
            <th>Latency</th>
            <th>Cost</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((call) => (
            <tr key={`${call.traceId}-${call.spanId}`}>
              <td>{call.turn}</td>
              <td>
                <Link to={logPath(call.traceId)}>{call.name}</Link>
              </td>
              <td>{call.model ?? <span className="muted">—</span>}</td>
              <td>{formatNumber(call.inputTokens)}</td>
              <td>{formatNumber(call.outputTokens)}</td>
              <td>{formatNumber(call.cachedInputTokens)}</td>
              <td>{formatNumber(call.totalTokens)}</td>
              <td className="nowrap">{formatDuration(call.latencyMs)}</td>
              <td>{formatCost(call.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
