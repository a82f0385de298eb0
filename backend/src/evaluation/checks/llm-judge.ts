import type { Judge, RuleDefinition, RuleResult, EvaluationSubject } from "../types";

/** Triggered when the judge says the output fails the criteria; a judge that cannot answer is an error. */
export async function checkWithJudge(
  judge: Judge,
  rule: RuleDefinition,
  criteria: string,
  subject: EvaluationSubject,
  workspaceId: string,
  signal?: AbortSignal,
): Promise<RuleResult> {
  const result = await judge.judge(
    {
      provider: rule.llmJudgeProvider,
      model: rule.llmJudgeModel,
      criteria,
      output: subject.output,
      input: subject.input,
      workspaceId,
    },
    signal,
  );
  if (!result.ok) return { outcome: "error", explanation: result.error, ...(result.judgedBy ? { judgedBy: result.judgedBy } : {}) };
  const { pass, confidence, explanation } = result.verdict;
  return { outcome: pass ? "passed" : "triggered", explanation, confidence, judgedBy: result.judgedBy };
}
