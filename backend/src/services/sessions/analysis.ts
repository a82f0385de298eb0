import type {
  AnalysisSuggestion,
  DecisionAnomaly,
  ErrorPatternFinding,
  SessionAnalysis,
  SessionSpanRef,
  SlowSpanFinding,
  SpanEventType,
  SpanKind,
} from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import type { SqlClient } from "../../db/sql";
import { errorPattern } from "./error-pattern";
import { resolveSession, traceIdsOf, type SessionRef } from "./session-ref";
import { SPAN_DURATION_MS } from "../traces/trace-sql";

/** The project history a session is compared with: the spans that started in the 30 days up to its last activity. */
export const HISTORY_DAYS = 30;
/** Fewer spans of a kind (or decisions) than this in that history: too few to say what is usual. */
export const MIN_HISTORY = 20;
/** A decision kind under this share of the project's decisions is rare. */
export const RARE_SHARE = 0.05;

const SESSION_SPANS = `
SELECT t.pos::int AS turn, s.trace_id, s.id, s.kind, s.name, s.model, s.event_type, s.decision_kind, ${SPAN_DURATION_MS} AS duration_ms,
  CASE WHEN s.status = 'error' OR s.event_type = 'error' THEN left(CASE jsonb_typeof(s.error)
    WHEN 'object' THEN coalesce(s.error ->> 'message', s.error::text) WHEN 'string' THEN s.error #>> '{}' ELSE s.error::text END, 500)
  END AS error_message,
  s.status = 'error' OR s.event_type = 'error' AS failed,
  CASE WHEN s.event_type = 'handoff' OR s.decision_kind = 'handoff'
    THEN coalesce(s.attributes ->> 'to', s.attributes ->> 'target', s.name) END AS handoff_target
FROM unnest($2::text[]) WITH ORDINALITY AS t(id, pos) JOIN spans s ON s.trace_id = t.id AND s.workspace_id = $1::uuid
ORDER BY t.pos, s.dotted_order, s.id`;

const HISTORY = `FROM spans s JOIN logs l ON l.id = s.trace_id
WHERE s.workspace_id = $1::uuid AND l.workspace_id = $1::uuid AND l.project_id = $2::uuid
  AND s.started_at > $3::timestamptz - ${HISTORY_DAYS} * interval '1 day' AND s.started_at <= $3::timestamptz`;

const KIND_BASELINES = `
SELECT s.kind, count(*)::int AS n, percentile_cont(0.95) WITHIN GROUP (ORDER BY ${SPAN_DURATION_MS}) AS p95
${HISTORY} AND s.ended_at IS NOT NULL AND s.kind = ANY($4::text[])
GROUP BY s.kind`;

const DECISION_COUNTS = `SELECT s.decision_kind, count(*)::int AS n ${HISTORY} AND s.decision_kind IS NOT NULL GROUP BY s.decision_kind`;

const SESSION_BASELINE = `
SELECT count(*)::int AS n, percentile_cont(0.95) WITHIN GROUP (ORDER BY ${SPAN_DURATION_MS}) AS p95,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${SPAN_DURATION_MS}) AS median
FROM spans s WHERE s.workspace_id = $1::uuid AND s.trace_id = ANY($2::text[]) AND s.ended_at IS NOT NULL`;

interface SpanFacts {
  turn: number;
  trace_id: string;
  id: string;
  kind: SpanKind;
  name: string;
  model: string | null;
  event_type: SpanEventType;
  decision_kind: string | null;
  duration_ms: number | null;
  error_message: string | null;
  failed: boolean;
  handoff_target: string | null;
}

const ref = (s: SpanFacts): SessionSpanRef => ({ traceId: s.trace_id, turn: s.turn, spanId: s.id, kind: s.kind, name: s.name });
const ms = (value: number) => `${Math.round(value)} ms`;
/** A percentile without its floating-point dust (12149.999999999998 → 12150), to the microsecond. */
const toMicros = (value: number) => Math.round(value * 1_000) / 1_000;
const TOOL_KINDS: readonly SpanKind[] = ["tool", "mcp", "webhook"];

/**
 * `GET …/sessions/:sessionId/analysis`: deterministic diagnostics of one session (no model is asked), each
 * finding naming its spans and saying why it was found. The rules are in the README ("Sessions").
 */
export class SessionAnalysisService {
  constructor(private readonly sql: SqlClient) {}

  async analyse(workspaceId: string, projectRef: string, sessionId: string): Promise<SessionAnalysis> {
    const session = await resolveSession(this.sql, workspaceId, projectRef, sessionId);
    const ids = arrayLiteral(traceIdsOf(session));
    const spans = await this.sql.query<SpanFacts>(SESSION_SPANS, [workspaceId, ids]);
    const until = lastActivity(session).toISOString();
    const [slowSpans, decisionAnomalies] = await Promise.all([
      this.slowSpans(workspaceId, session, ids, until, spans),
      this.decisionAnomalies(workspaceId, session, until, spans),
    ]);
    const errorPatterns = findErrorPatterns(spans);
    return { sessionId, slowSpans, errorPatterns, decisionAnomalies, suggestions: suggest(slowSpans, errorPatterns, decisionAnomalies) };
  }

  /**
   * A span is slow when it took longer than the p95 of the project's finished spans of its kind in the
   * history (when there are at least MIN_HISTORY of them); otherwise when it took longer than the p95 of the
   * session's finished spans and at least twice their median.
   */
  private async slowSpans(workspaceId: string, session: SessionRef, ids: string, until: string, spans: SpanFacts[]) {
    const finished = spans.filter((s) => s.duration_ms !== null);
    if (finished.length === 0) return [];
    const kinds = [...new Set(finished.map((s) => s.kind))];
    const [baselines, [own]] = await Promise.all([
      this.sql.query<{ kind: SpanKind; n: number; p95: number }>(KIND_BASELINES, [
        workspaceId,
        session.project.id,
        until,
        arrayLiteral(kinds),
      ]),
      this.sql.query<{ n: number; p95: number; median: number }>(SESSION_BASELINE, [workspaceId, ids]),
    ]);
    const byKind = new Map(baselines.map((b) => [b.kind, b]));
    const found: SlowSpanFinding[] = [];
    for (const span of finished) {
      const duration = span.duration_ms!;
      const project = byKind.get(span.kind);
      if (project && project.n >= MIN_HISTORY) {
        if (duration > project.p95) {
          found.push({
            ...ref(span),
            durationMs: duration,
            thresholdMs: toMicros(project.p95),
            baseline: "project_kind_p95",
            baselineCount: project.n,
            reason:
              `Took ${ms(duration)}, above ${ms(project.p95)}: the p95 of the project's ${project.n} finished ${span.kind} spans ` +
              `in the ${HISTORY_DAYS} days up to this session's last activity.`,
          });
        }
      } else if (own && duration > own.p95 && duration >= 2 * own.median) {
        found.push({
          ...ref(span),
          durationMs: duration,
          thresholdMs: toMicros(Math.max(own.p95, 2 * own.median)),
          baseline: "session_p95",
          baselineCount: own.n,
          reason:
            `Took ${ms(duration)}, above the p95 (${ms(own.p95)}) of this session's ${own.n} finished spans and at least twice ` +
            `their median (${ms(own.median)}); the project has fewer than ${MIN_HISTORY} finished ${span.kind} spans in the ` +
            `${HISTORY_DAYS} days up to this session's last activity, too few for a p95 of their own.`,
        });
      }
    }
    return found;
  }

  /** Rare decision kinds, then handoff loops. */
  private async decisionAnomalies(workspaceId: string, session: SessionRef, until: string, spans: SpanFacts[]): Promise<DecisionAnomaly[]> {
    const anomalies: DecisionAnomaly[] = [];
    const decisions = spans.filter((s) => s.decision_kind !== null);
    if (decisions.length) {
      const counts = await this.sql.query<{ decision_kind: string; n: number }>(DECISION_COUNTS, [workspaceId, session.project.id, until]);
      const total = counts.reduce((sum, c) => sum + c.n, 0);
      const kinds = [...new Set(decisions.map((s) => s.decision_kind!))];
      for (const kind of kinds) {
        const count = counts.find((c) => c.decision_kind === kind)?.n ?? 0;
        if (total < MIN_HISTORY || count / total >= RARE_SHARE) continue;
        const share = count / total;
        anomalies.push({
          type: "rare_decision",
          decisionKind: kind,
          projectCount: count,
          projectTotal: total,
          projectShare: share,
          spans: decisions.filter((s) => s.decision_kind === kind).map(ref),
          reason:
            `The project took "${kind}" in ${count} of its ${total} decisions (${(share * 100).toFixed(1)}%, under ` +
            `${RARE_SHARE * 100}%) in the ${HISTORY_DAYS} days up to this session's last activity.`,
        });
      }
    }
    return [...anomalies, ...findHandoffLoops(spans)];
  }
}

function lastActivity(session: SessionRef): Date {
  return new Date(Math.max(...session.traces.map((t) => new Date(t.ended_at ?? t.started_at).getTime())));
}

/** Failed spans grouped by kind, name and masked message, most frequent first. */
function findErrorPatterns(spans: SpanFacts[]): ErrorPatternFinding[] {
  const groups = new Map<string, { first: SpanFacts; pattern: string; example: string; spans: SpanFacts[] }>();
  for (const span of spans.filter((s) => s.failed)) {
    const message = span.error_message ?? "(no message)";
    const pattern = errorPattern(message);
    const key = JSON.stringify([span.kind, span.name, pattern]);
    const group = groups.get(key) ?? { first: span, pattern, example: message, spans: [] };
    group.spans.push(span);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => b.spans.length - a.spans.length)
    .map((g) => ({
      kind: g.first.kind,
      name: g.first.name,
      pattern: g.pattern,
      count: g.spans.length,
      example: g.example,
      spans: g.spans.map(ref),
      reason:
        `${g.spans.length} failed ${g.first.kind} span${g.spans.length === 1 ? "" : "s"} named "${g.first.name}" with this message ` +
        `once numbers and ids are masked.`,
    }));
}

/**
 * Handoffs in session order (turn, then tree order); a loop is a target handed to again after a different
 * one in between (A → B → A), reported at each such return with the handoffs since the previous one.
 */
function findHandoffLoops(spans: SpanFacts[]): DecisionAnomaly[] {
  const handoffs = spans.filter((s) => s.handoff_target !== null);
  const loops: DecisionAnomaly[] = [];
  handoffs.forEach((span, i) => {
    const target = span.handoff_target!;
    const previous = handoffs.slice(0, i).findLastIndex((s) => s.handoff_target === target);
    if (previous < 0 || i - previous < 2) return;
    const path = handoffs.slice(previous, i + 1);
    const sequence = path.map((s) => s.handoff_target!);
    loops.push({
      type: "handoff_loop",
      target,
      sequence,
      spans: path.map(ref),
      reason: `Handed off to "${target}" again after ${sequence
        .slice(1, -1)
        .map((t) => `"${t}"`)
        .join(", ")}: ${sequence.join(" → ")}.`,
    });
  });
  return loops;
}

/** One concrete suggestion per finding, pointing at it. */
function suggest(slow: SlowSpanFinding[], errors: ErrorPatternFinding[], anomalies: DecisionAnomaly[]): AnalysisSuggestion[] {
  const out: AnalysisSuggestion[] = [];
  slow.forEach((f, i) => {
    const what = `${f.kind} span "${f.name}" in turn ${f.turn} took ${ms(f.durationMs)} (slow above ${ms(f.thresholdMs)})`;
    const text =
      f.kind === "llm"
        ? `The ${what}: try a smaller or faster model, a shorter prompt or fewer output tokens, and cache answers that repeat.`
        : TOOL_KINDS.includes(f.kind)
          ? `The ${what}: give it a timeout, cache its results, or run it beside the steps that do not need it.`
          : `The ${what}: open its children (GET …/traces/${encodeURIComponent(f.spanId)}/children?traceId=${encodeURIComponent(f.traceId)}) to find the step that takes the time.`;
    out.push({ finding: "slow_span", findingIndex: i, traceId: f.traceId, spanId: f.spanId, text });
  });
  errors.forEach((f, i) => {
    const first = f.spans[0]!;
    const what = `${f.kind} span "${f.name}" failed ${f.count} time${f.count === 1 ? "" : "s"} with "${f.pattern}"`;
    const text =
      f.kind === "llm"
        ? `The ${what}: check the provider's limits (rate, context length) and retry with back-off.`
        : TOOL_KINDS.includes(f.kind)
          ? `The ${what}: check its input before the call, retry with back-off when the failure is transient, and answer with a fallback when it is not.`
          : `The ${what}: handle this error where "${f.name}" runs, or stop the turn with a clear answer.`;
    out.push({ finding: "error_pattern", findingIndex: i, traceId: first.traceId, spanId: first.spanId, text });
  });
  anomalies.forEach((f, i) => {
    if (f.type === "rare_decision") {
      const first = f.spans[0]!;
      out.push({
        finding: "rare_decision",
        findingIndex: i,
        traceId: first.traceId,
        spanId: first.spanId,
        text:
          `Decision "${f.decisionKind}" (span "${first.spanId}", turn ${first.turn}) is ${(f.projectShare * 100).toFixed(1)}% of the ` +
          `project's decisions: review the input that led to it, and keep it as a test case if it was right.`,
      });
    } else {
      const last = f.spans.at(-1)!;
      out.push({
        finding: "handoff_loop",
        findingIndex: i,
        traceId: last.traceId,
        spanId: last.spanId,
        text: `Handoffs loop ${f.sequence.join(" → ")} (turns ${f.spans[0]!.turn}–${last.turn}): let ${f.sequence
          .slice(1, -1)
          .map((t) => `"${t}"`)
          .join(", ")} finish or hand back with a reason, and cap the handoffs per session.`,
      });
    }
  });
  return out;
}
