import type { RuleResult } from "../types";

export function checkConfidence(confidence: number | null, minimum: number): RuleResult {
  if (confidence === null) {
    return { outcome: "triggered", explanation: `No confidence was sent with this log; the minimum is ${minimum}.` };
  }
  return confidence < minimum
    ? { outcome: "triggered", explanation: `Confidence ${confidence} is below the minimum ${minimum}.` }
    : { outcome: "passed", explanation: `Confidence ${confidence} meets the minimum ${minimum}.` };
}
