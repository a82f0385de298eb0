import type { SessionMetrics } from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import type { SqlClient } from "../../db/sql";
import { isoOrNull as iso } from "../../lib/values";
import { resolveSession, traceIdsOf, type SessionRef } from "./session-ref";
import { SPAN_DURATION_MS } from "../traces/trace-sql";

/** A tool call: a span of kind `tool` or `mcp` (the trace rollups' definition; a failed one's event type is `error`). */
export const IS_TOOL_CALL = `s.kind IN ('tool', 'mcp')`;
/** A guardrail evaluation: a span of kind `guardrail`, or any span whose event type is `guardrail_eval`. */
export const IS_GUARDRAIL = `(s.kind = 'guardrail' OR s.event_type = 'guardrail_eval')`;
/** A guardrail that blocked: decision kind `block`, or `attributes.blocked` is JSON `true`. */
export const IS_BLOCK = `(s.decision_kind = 'block' OR s.attributes -> 'blocked' = 'true'::jsonb)`;

const COUNTS = `
SELECT (count(*) FILTER (WHERE ${IS_TOOL_CALL}))::int AS tool_calls,
  (count(*) FILTER (WHERE ${IS_TOOL_CALL} AND s.status = 'ok'))::int AS tool_ok,
  (count(*) FILTER (WHERE ${IS_TOOL_CALL} AND s.status = 'error'))::int AS tool_errors,
  (count(*) FILTER (WHERE ${IS_GUARDRAIL}))::int AS guardrails,
  (count(*) FILTER (WHERE ${IS_GUARDRAIL} AND ${IS_BLOCK}))::int AS blocks
FROM spans s WHERE s.workspace_id = $1::uuid AND s.trace_id = ANY($2::text[])`;

/** An LLM call: a span of kind `llm` (as the rollups' llm_call_count), in turn then tree order. */
const LLM_CALLS = `
SELECT t.pos::int AS turn, s.trace_id, s.id, s.name, s.provider, s.model, coalesce(s.input_tokens, 0) AS input_tokens,
  coalesce(s.output_tokens, 0) AS output_tokens, coalesce(s.cached_input_tokens, 0) AS cached_input_tokens,
  ${SPAN_DURATION_MS} AS latency_ms, s.cost_usd
FROM unnest($2::text[]) WITH ORDINALITY AS t(id, pos) JOIN spans s ON s.trace_id = t.id AND s.workspace_id = $1::uuid
WHERE s.kind = 'llm'
ORDER BY t.pos, s.dotted_order, s.id`;

interface Counts {
  tool_calls: number;
  tool_ok: number;
  tool_errors: number;
  guardrails: number;
  blocks: number;
}

interface LlmCallRow {
  turn: number;
  trace_id: string;
  id: string;
  name: string;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  latency_ms: number | null;
  cost_usd: number | null;
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** `GET …/sessions/:sessionId/metrics`: latency, tokens, tools and guardrails of one session (definitions in the README). */
export class SessionMetricsService {
  constructor(private readonly sql: SqlClient) {}

  async get(workspaceId: string, projectRef: string, sessionId: string): Promise<SessionMetrics> {
    return this.of(workspaceId, await resolveSession(this.sql, workspaceId, projectRef, sessionId));
  }

  async of(workspaceId: string, session: SessionRef): Promise<SessionMetrics> {
    const ids = arrayLiteral(traceIdsOf(session));
    const [[counts], calls] = await Promise.all([
      this.sql.query<Counts>(COUNTS, [workspaceId, ids]),
      this.sql.query<LlmCallRow>(LLM_CALLS, [workspaceId, ids]),
    ]);
    const { traces } = session;
    const running = traces.some((t) => t.ended_at === null);
    const firstStart = Math.min(...traces.map((t) => new Date(t.started_at).getTime()));
    const lastEnd = Math.max(...traces.map((t) => (t.ended_at ? new Date(t.ended_at).getTime() : -Infinity)));
    const llmCalls = calls.map((c) => ({
      turn: c.turn,
      traceId: c.trace_id,
      spanId: c.id,
      name: c.name,
      provider: c.provider,
      model: c.model,
      inputTokens: c.input_tokens,
      outputTokens: c.output_tokens,
      cachedInputTokens: c.cached_input_tokens,
      totalTokens: c.input_tokens + c.output_tokens,
      latencyMs: c.latency_ms,
      costUsd: c.cost_usd,
    }));
    const sum = (pick: (c: (typeof llmCalls)[number]) => number) => llmCalls.reduce((total, c) => total + pick(c), 0);
    const c = counts ?? { tool_calls: 0, tool_ok: 0, tool_errors: 0, guardrails: 0, blocks: 0 };
    return {
      sessionId: session.sessionId,
      turnCount: traces.length,
      totalLatencyMs: traces.reduce((total, t) => total + (t.duration_ms ?? 0), 0),
      elapsedMs: running ? null : lastEnd - firstStart,
      turns: traces.map((t) => ({
        turn: t.turn,
        traceId: t.id,
        startedAt: iso(t.started_at)!,
        endedAt: iso(t.ended_at),
        latencyMs: t.duration_ms,
      })),
      llmCalls,
      tokens: {
        input: sum((x) => x.inputTokens),
        output: sum((x) => x.outputTokens),
        cachedInput: sum((x) => x.cachedInputTokens),
        total: sum((x) => x.totalTokens),
      },
      toolCallCount: c.tool_calls,
      toolSuccessCount: c.tool_ok,
      toolErrorCount: c.tool_errors,
      toolSuccessRate: rate(c.tool_ok, c.tool_ok + c.tool_errors),
      guardrailEvaluationCount: c.guardrails,
      guardrailBlockCount: c.blocks,
      guardrailBlockRate: rate(c.blocks, c.guardrails),
    };
  }
}
