import type { EvaluateRuleInput, EvaluateRuleResponse } from "@tracira/shared";
import { evaluate } from "../evaluation/engine";
import type { EngineDeps, RuleDefinition } from "../evaluation/types";
import { ApiError } from "../lib/api-error";
import type { RuleService } from "./rules";
import { assertTargetFits, assertValidValue } from "./rules";

/** `POST /api/rules/evaluate`: one rule, saved or not, against one output (a span rule: the spans sent); nothing is stored. */
export class RuleEvaluationService {
  constructor(
    private readonly rules: RuleService,
    private readonly engine: EngineDeps,
  ) {}

  async evaluate(workspaceId: string, input: EvaluateRuleInput): Promise<EvaluateRuleResponse> {
    const rule = await this.definition(workspaceId, input.rule);
    if (rule.spans && !input.spans) {
      throw ApiError.invalid("This rule checks spans: send spans ([{ id, kind, name, input?, output? }], in tree order) to try it on.", {
        spans: "required for a rule with target spans",
      });
    }
    const result = await evaluate(
      [rule],
      { output: input.output, confidence: input.confidence ?? null, input: input.input ?? null },
      this.engine,
      { workspaceId, spans: input.spans?.map((s) => ({ id: s.id, kind: s.kind, name: s.name, input: s.input, output: s.output })) },
    );
    const { status, confidenceScore, explanation, appliedRules } = result;
    return { verdict: status, confidenceScore, explanation, status, appliedRules };
  }

  private async definition(workspaceId: string, rule: EvaluateRuleInput["rule"]): Promise<RuleDefinition> {
    if (typeof rule === "string") return this.rules.definition(workspaceId, rule);
    if ("id" in rule) return this.rules.definition(workspaceId, rule.id);
    assertValidValue(rule.type, rule.value, "rule.value");
    assertTargetFits(rule.type, rule.target ?? "output", "rule.target");
    return {
      id: "unsaved",
      name: rule.name ?? "Unsaved rule",
      type: rule.type,
      value: rule.value,
      scope: "global",
      llmJudgeProvider: rule.llmJudgeProvider ?? null,
      llmJudgeModel: rule.llmJudgeModel ?? null,
      ...(rule.target === "spans" ? { spans: { kind: rule.spanKind ?? null, name: rule.spanName?.trim() || null } } : {}),
    };
  }
}
