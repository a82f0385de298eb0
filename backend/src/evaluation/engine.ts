import type { AppliedRule, Verdict } from "@tracira/shared";
import type { JudgedBy } from "../projections/rule-evaluations";
import { checkConfidence } from "./checks/confidence";
import { checkJsonField, checkJsonFieldForbids, checkJsonFieldRequires, parseOutputJson, type ParsedOutput } from "./checks/json-field";
import { forbidKeywords, requireKeywords } from "./checks/keywords";
import { checkLength } from "./checks/length";
import { checkWithJudge } from "./checks/llm-judge";
import { checkRegex } from "./checks/regex";
import { parseRuleValue } from "./rule-values";
import type { EngineDeps, EvaluationSubject, RuleDefinition, RuleResult } from "./types";

/** The result of evaluating a log (or one output) against the rules that apply to it. */
export interface Evaluation {
  status: Verdict;
  /** The lowest judge confidence; 1 when no judge ran. */
  confidenceScore: number;
  explanation: string;
  appliedRules: AppliedRule[];
  /** Which provider and model answered each LLM-judge rule (by rule id), recorded with its evaluation. */
  judgedBy?: JudgedBy;
}

interface RunContext {
  deps: EngineDeps;
  workspaceId: string;
  signal: AbortSignal | undefined;
  /** Parsed once per output, shared by every JSON rule. */
  json: () => ParsedOutput;
}

/** One rule against one subject. Never throws: a rule that cannot run ends `error` with the reason. */
async function runRule(rule: RuleDefinition, subject: EvaluationSubject, ctx: RunContext): Promise<RuleResult> {
  const parsed = parseRuleValue(rule.type, rule.value);
  if (!parsed.ok) return { outcome: "error", explanation: `The rule's value is invalid: ${parsed.error}.` };
  const v = parsed.value;
  const output = subject.output;
  try {
    switch (v.type) {
      case "keyword_required":
        return requireKeywords(output, v.keywords, "the output");
      case "keyword_forbidden":
        return forbidKeywords(output, v.keywords, "the output");
      case "regex_match":
        return await checkRegex(ctx.deps.regex, output, v.source, v.flags, ctx.workspaceId);
      case "length_limit":
        return checkLength(output, v.min, v.max);
      case "confidence_threshold":
        return checkConfidence(subject.confidence, v.minimum);
      case "json_field":
        return checkJsonField(ctx.json(), v.path, v.pathText);
      case "json_field_keyword_required":
        return checkJsonFieldRequires(ctx.json(), v.path, v.pathText, v.keywords);
      case "json_field_keyword_forbidden":
        return checkJsonFieldForbids(ctx.json(), v.path, v.pathText, v.keywords);
      case "llm_judge":
        return await checkWithJudge(ctx.deps.judge, rule, v.criteria, subject, ctx.workspaceId, ctx.signal);
    }
  } catch (err) {
    return { outcome: "error", explanation: `Tracira could not run this rule: ${(err as Error).message}.` };
  }
}

/** Every rule against one subject (concurrently, so judges overlap), folded into one verdict. */
export async function evaluate(
  rules: RuleDefinition[],
  subject: EvaluationSubject,
  deps: EngineDeps,
  options: { workspaceId: string; signal?: AbortSignal },
): Promise<Evaluation> {
  let json: ParsedOutput | undefined;
  const ctx: RunContext = {
    deps,
    workspaceId: options.workspaceId,
    signal: options.signal,
    json: () => (json ??= parseOutputJson(subject.output)),
  };
  const results = await Promise.all(rules.map((rule) => runRule(rule, subject, ctx)));
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
  return { status, confidenceScore: judged.length ? Math.min(...judged) : 1, explanation, appliedRules, judgedBy };
}
