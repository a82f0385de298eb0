import type { EvaluateRuleInput, EvaluateRuleResponse } from "@tracira/shared";
import { evaluate } from "../evaluation/engine";
import type { EngineDeps, RuleDefinition } from "../evaluation/types";
import type { RuleService } from "./rules";
import { assertValidValue } from "./rules";

/** `POST /api/rules/evaluate`: one rule, saved or not, against one output; nothing is stored. */
export class RuleEvaluationService {
  constructor(
    private readonly rules: RuleService,
    private readonly engine: EngineDeps,
  ) {}

  async evaluate(workspaceId: string, input: EvaluateRuleInput): Promise<EvaluateRuleResponse> {
    const rule = await this.definition(workspaceId, input.rule);
    const result = await evaluate(
      [rule],
      { output: input.output, confidence: input.confidence ?? null, input: input.input ?? null },
      this.engine,
      { workspaceId },
    );
    const { status, confidenceScore, explanation, appliedRules } = result;
    return { verdict: status, confidenceScore, explanation, status, appliedRules };
  }

  private async definition(workspaceId: string, rule: EvaluateRuleInput["rule"]): Promise<RuleDefinition> {
    if (typeof rule === "string") return this.rules.definition(workspaceId, rule);
    if ("id" in rule) return this.rules.definition(workspaceId, rule.id);
    assertValidValue(rule.type, rule.value, "rule.value");
    return {
      id: "unsaved",
      name: rule.name ?? "Unsaved rule",
      type: rule.type,
      value: rule.value,
      scope: "global",
      llmJudgeProvider: rule.llmJudgeProvider ?? null,
      llmJudgeModel: rule.llmJudgeModel ?? null,
    };
  }
}
