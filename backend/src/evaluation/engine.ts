import type { AppliedRule, Verdict } from "@tracira/shared";
import { mapLimited } from "../lib/map-limited";
import type { JudgedBy, SpanOutcomes } from "../projections/rule-evaluations";
import { checkConfidence } from "./checks/confidence";
import { checkJsonField, checkJsonFieldForbids, checkJsonFieldRequires, parseOutputJson, type ParsedOutput } from "./checks/json-field";
import { forbidKeywords, requireKeywords } from "./checks/keywords";
import { checkLength } from "./checks/length";
import { checkWithJudge } from "./checks/llm-judge";
import { checkRegex } from "./checks/regex";
import { parseRuleValue } from "./rule-values";
import { foldSpanResults, matchesSpan, spanSubject } from "./span-rules";
import type { EngineDeps, EvaluationSubject, RuleDefinition, RuleResult, SpanFilter, SpanRecord } from "./types";

/** The result of evaluating a log (or one output) against the rules that apply to it. */
export interface Evaluation {
  status: Verdict;
  /** The lowest judge confidence; 1 when no judge ran. */
  confidenceScore: number;
  explanation: string;
  appliedRules: AppliedRule[];
  /** Which provider and model answered each LLM-judge rule (by rule id), recorded with its evaluation. */
  judgedBy?: JudgedBy;
  /** Each span rule's result on every span it checked (by rule id), recorded as span evaluations. */
  spanOutcomes?: SpanOutcomes;
}

interface RunContext {
  deps: EngineDeps;
  workspaceId: string;
  signal: AbortSignal | undefined;
}

/** A text rules check (the output, or one span's), with its JSON parsed once for every JSON rule. */
interface Checked {
  subject: EvaluationSubject;
  json: () => ParsedOutput;
}

function checked(subject: EvaluationSubject): Checked {
  let json: ParsedOutput | undefined;
  return { subject, json: () => (json ??= parseOutputJson(subject.output)) };
}

/** One rule against one subject. Never throws: a rule that cannot run ends `error` with the reason. */
async function runRule(rule: RuleDefinition, { subject, json }: Checked, ctx: RunContext): Promise<RuleResult> {
  const parsed = parseRuleValue(rule.type, rule.value);
  if (!parsed.ok) return { outcome: "error", explanation: `The rule's value is invalid: ${parsed.error}.` };
  const v = parsed.value;
  const output = subject.output;
  const what = subject.what ?? "the output";
  try {
    switch (v.type) {
      case "keyword_required":
        return requireKeywords(output, v.keywords, what);
      case "keyword_forbidden":
        return forbidKeywords(output, v.keywords, what);
      case "regex_match":
        return await checkRegex(ctx.deps.regex, output, v.source, v.flags, ctx.workspaceId, what);
      case "length_limit":
        return checkLength(output, v.min, v.max, what);
      case "confidence_threshold":
        return checkConfidence(subject.confidence, v.minimum);
      case "json_field":
        return checkJsonField(json(), v.path, v.pathText, what);
      case "json_field_keyword_required":
        return checkJsonFieldRequires(json(), v.path, v.pathText, v.keywords, what);
      case "json_field_keyword_forbidden":
        return checkJsonFieldForbids(json(), v.path, v.pathText, v.keywords, what);
      case "llm_judge":
        return await checkWithJudge(ctx.deps.judge, rule, v.criteria, subject, ctx.workspaceId, ctx.signal);
    }
  } catch (err) {
    return { outcome: "error", explanation: `Tracira could not run this rule: ${(err as Error).message}.` };
  }
}

/** Most spans one span rule checks at once (a trace may have hundreds; judges and the regex pool are shared). */
const SPANS_AT_ONCE = 4;

/** A span rule: the rule on each matching span, in tree order, folded into one outcome for the trace. */
async function runOnSpans(
  rule: RuleDefinition,
  filter: SpanFilter,
  spans: readonly { span: SpanRecord; checked: Checked }[],
  ctx: RunContext,
): Promise<RuleResult> {
  const matching = spans.filter(({ span }) => matchesSpan(filter, span));
  const judged = await mapLimited(matching, SPANS_AT_ONCE, async ({ span, checked }) => ({
    span,
    result: await runRule(rule, checked, ctx),
  }));
  return foldSpanResults(filter, judged);
}

/**
 * Every rule against one subject (concurrently, so judges overlap), folded into one verdict. Span rules
 * check `spans` (the trace's spans in tree order; none when absent).
 */
export async function evaluate(
  rules: RuleDefinition[],
  subject: EvaluationSubject,
  deps: EngineDeps,
  options: { workspaceId: string; signal?: AbortSignal; spans?: readonly SpanRecord[] },
): Promise<Evaluation> {
  const ctx: RunContext = { deps, workspaceId: options.workspaceId, signal: options.signal };
  const output = checked(subject);
  const spans = rules.some((rule) => rule.spans)
    ? (options.spans ?? []).map((span) => ({ span, checked: checked(spanSubject(span)) }))
    : [];
  const results = await Promise.all(
    rules.map((rule) => (rule.spans ? runOnSpans(rule, rule.spans, spans, ctx) : runRule(rule, output, ctx))),
  );
  return summarize(rules, results);
}

export function summarize(rules: RuleDefinition[], results: RuleResult[]): Evaluation {
  const appliedRules: AppliedRule[] = rules.map((rule, i) => {
    const result = results[i]!;
    return {
      ruleId: rule.id,
      ruleName: rule.name,
      ruleType: rule.type,
      ruleValue: rule.value,
      scope: rule.scope,
      outcome: result.outcome,
      explanation: result.explanation,
      ...(result.confidence === undefined ? {} : { confidence: result.confidence }),
    };
  });
  const outcomes = new Set(results.map((r) => r.outcome));
  const status: Verdict = outcomes.has("triggered") ? "flagged" : outcomes.has("error") ? "error" : "pass";
  const judged = results.flatMap((r) => (r.confidence === undefined ? [] : [r.confidence]));
  const notable = appliedRules.filter((r) => r.outcome !== "passed");
  const explanation = notable.length
    ? notable.map((r) => `${r.ruleName}: ${r.explanation}`).join("\n")
    : rules.length
      ? `All ${rules.length} rule${rules.length > 1 ? "s" : ""} passed.`
      : "No active rule applies to this log.";
  const judgedBy = Object.fromEntries(rules.flatMap((rule, i) => (results[i]!.judgedBy ? [[rule.id, results[i]!.judgedBy!]] : [])));
  const spanOutcomes = Object.fromEntries(
    rules.flatMap((rule, i) => (rule.spans ? [[rule.id, { filter: rule.spans, spans: results[i]!.spans ?? [] }]] : [])),
  );
  return {
    status,
    confidenceScore: judged.length ? Math.min(...judged) : 1,
    explanation,
    appliedRules,
    judgedBy,
    ...(Object.keys(spanOutcomes).length ? { spanOutcomes } : {}),
  };
}
