import { createHash } from "node:crypto";
import type { AppliedRule, JudgeProvider, RuleOutcome } from "@tracira/shared";

/**
 * A log's rule outcomes are stored once, as evaluation rows (`rule.<type>` and `llm_judge.<provider>`),
 * one per rule in rule order. `appliedRules` is rebuilt from those rows (APPLIED_RULES_SQL), so the two
 * views of an evaluation can never disagree. A span rule also has one row per span it checked (`span_id`
 * set), after the rules' own rows; `appliedRules` reads only the rules' own.
 */

/** An evaluation row as `jsonb_to_recordset` reads it in the statements that write evaluations. */
export interface EvaluationRowInput {
  trace_id: string;
  id: string;
  span_id: string | null;
  evaluator: string;
  evaluator_version: string | null;
  name: string;
  score: number | null;
  label: string | null;
  reason: string | null;
  metadata: Record<string, unknown> | null;
  position: number;
}

/** The column list of `jsonb_to_recordset(...) AS e(...)` for EvaluationRowInput. */
export const EVALUATION_RECORDSET = `e(trace_id text, id text, span_id text, evaluator text, evaluator_version text, name text,
  score float8, label text, reason text, metadata jsonb, position int)`;

const LABELS = { passed: "pass", triggered: "fail", error: "error" } as const;

/** The provider and model a judgement went to, once resolved from rule, workspace and server defaults. */
export interface JudgeTarget {
  provider: JudgeProvider;
  model: string;
}

/** Which spans a span rule checks: those of this kind and with this exact name (null: any). */
export interface SpanFilter {
  kind: string | null;
  name: string | null;
}

/** A span rule's result on one span. */
export interface SpanJudgement {
  spanId: string;
  outcome: RuleOutcome;
  /** Names the span, e.g. `Span "search" (tool-3, tool): No forbidden keyword in the span's output.` */
  explanation: string;
  confidence?: number;
  judgedBy?: JudgeTarget;
}

/** Which provider and model answered each LLM-judge rule, by rule id. */
export type JudgedBy = Readonly<Record<string, JudgeTarget>>;

/** Each span rule's filter and its result on every span it checked, by rule id. */
export type SpanOutcomes = Readonly<Record<string, { filter: SpanFilter; spans: readonly SpanJudgement[] }>>;

/** One outcome to record: a rule's own, or a span rule's on one span. */
interface Outcome {
  id: string;
  spanId: string | null;
  outcome: RuleOutcome;
  explanation: string | undefined;
  confidence: number | undefined;
  judge: JudgeTarget | undefined;
}

/**
 * Rows for a log's rule outcomes. Score: a judge's confidence, else 1 passed / 0 triggered / null error.
 * `evaluatorVersion` changes whenever what the rule checks changes (type, value, judge model, and which
 * spans a span rule checks).
 */
export function ruleEvaluationRows(
  traceId: string,
  applied: readonly AppliedRule[],
  judgedBy: JudgedBy = {},
  spanOutcomes: SpanOutcomes = {},
): EvaluationRowInput[] {
  const row = (rule: AppliedRule, o: Outcome, position: number): EvaluationRowInput => {
    const isJudge = rule.ruleType === "llm_judge";
    const judge = isJudge ? o.judge : undefined;
    const filter = spanOutcomes[rule.ruleId]?.filter;
    return {
      trace_id: traceId,
      id: o.id,
      span_id: o.spanId,
      evaluator: isJudge ? `llm_judge.${judge?.provider ?? "unresolved"}` : `rule.${rule.ruleType}`,
      evaluator_version: versionOf(
        rule.ruleType,
        rule.ruleValue,
        judge?.model,
        filter && `spans:${filter.kind ?? "*"}:${filter.name ?? "*"}`,
      ),
      name: rule.ruleName,
      score: isJudge ? (o.confidence ?? null) : o.outcome === "passed" ? 1 : o.outcome === "triggered" ? 0 : null,
      label: LABELS[o.outcome],
      reason: o.explanation ?? null,
      metadata: {
        ruleId: rule.ruleId,
        ruleType: rule.ruleType,
        ruleValue: rule.ruleValue,
        scope: rule.scope,
        outcome: o.outcome,
        ...(filter ? { target: "spans", spanKind: filter.kind, spanName: filter.name } : {}),
        ...(judge ? { model: judge.model } : {}),
      },
      position,
    };
  };
  const own = applied.map((rule, position) =>
    row(
      rule,
      {
        id: `rule:${rule.ruleId}`,
        spanId: null,
        outcome: rule.outcome,
        explanation: rule.explanation,
        confidence: rule.confidence,
        judge: judgedBy[rule.ruleId],
      },
      position,
    ),
  );
  const perSpan = applied.flatMap((rule) =>
    (spanOutcomes[rule.ruleId]?.spans ?? []).map((span) => ({
      rule,
      outcome: {
        id: `rule:${rule.ruleId}:${span.spanId}`,
        spanId: span.spanId,
        outcome: span.outcome,
        explanation: span.explanation,
        confidence: span.confidence,
        judge: span.judgedBy,
      },
    })),
  );
  return [...own, ...perSpan.map(({ rule, outcome }, i) => row(rule, outcome, applied.length + i))];
}

function versionOf(...parts: (string | undefined)[]): string {
  return createHash("sha256").update(parts.filter(Boolean).join("\0")).digest("hex").slice(0, 12);
}

/** `appliedRules` of the log aliased `l`, as a jsonb array, read from its rule evaluations in rule order. */
export const APPLIED_RULES_SQL = `(SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
    'ruleId', e.metadata->'ruleId', 'ruleName', e.name, 'ruleType', e.metadata->'ruleType', 'ruleValue', e.metadata->'ruleValue',
    'scope', e.metadata->'scope', 'outcome', e.metadata->'outcome', 'explanation', to_jsonb(e.reason),
    'confidence', CASE WHEN e.evaluator ~ '^llm_judge\\.' THEN to_jsonb(e.score) END)) ORDER BY e.position), '[]'::jsonb)
  FROM evaluations e WHERE e.trace_id = l.id AND e.span_id IS NULL AND e.evaluator ~ '^(rule|llm_judge)\\.')`;
