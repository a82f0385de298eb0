import { createHash } from "node:crypto";
import type { AppliedRule, JudgeProvider } from "@tracira/shared";

/**
 * A log's rule outcomes are stored once, as evaluation rows (`rule.<type>` and `llm_judge.<provider>`),
 * one per rule in rule order. `appliedRules` is rebuilt from those rows (APPLIED_RULES_SQL), so the two
 * views of an evaluation can never disagree.
 */

/** An evaluation row as `jsonb_to_recordset` reads it in the statements that write evaluations. */
export interface EvaluationRowInput {
  trace_id: string;
  id: string;
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
export const EVALUATION_RECORDSET = `e(trace_id text, id text, evaluator text, evaluator_version text, name text, score float8,
  label text, reason text, metadata jsonb, position int)`;

const LABELS = { passed: "pass", triggered: "fail", error: "error" } as const;

/** Which provider and model answered each LLM-judge rule, by rule id. */
export type JudgedBy = Readonly<Record<string, { provider: JudgeProvider; model: string }>>;

/**
 * Rows for a log's rule outcomes. Score: a judge's confidence, else 1 passed / 0 triggered / null error.
 * `evaluatorVersion` changes whenever what the rule checks changes (type, value, judge model).
 */
export function ruleEvaluationRows(traceId: string, applied: readonly AppliedRule[], judgedBy: JudgedBy = {}): EvaluationRowInput[] {
  return applied.map((rule, position) => {
    const judge = rule.ruleType === "llm_judge" ? judgedBy[rule.ruleId] : undefined;
    const isJudge = rule.ruleType === "llm_judge";
    return {
      trace_id: traceId,
      id: `rule:${rule.ruleId}`,
      evaluator: isJudge ? `llm_judge.${judge?.provider ?? "unresolved"}` : `rule.${rule.ruleType}`,
      evaluator_version: versionOf(rule.ruleType, rule.ruleValue, judge?.model),
      name: rule.ruleName,
      score: isJudge ? (rule.confidence ?? null) : rule.outcome === "passed" ? 1 : rule.outcome === "triggered" ? 0 : null,
      label: LABELS[rule.outcome],
      reason: rule.explanation ?? null,
      metadata: {
        ruleId: rule.ruleId,
        ruleType: rule.ruleType,
        ruleValue: rule.ruleValue,
        scope: rule.scope,
        outcome: rule.outcome,
        ...(judge ? { model: judge.model } : {}),
      },
      position,
    };
  });
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
