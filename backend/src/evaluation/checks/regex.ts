import type { RegexRunner, RuleResult } from "../types";
import { capitalize } from "./wording";

/**
 * Triggered when the output does NOT match; a pattern that runs past its time budget is an error. `what`
 * names the text in the explanation.
 */
export async function checkRegex(
  runner: RegexRunner,
  output: string,
  source: string,
  flags: string,
  workspaceId?: string,
  what = "the output",
): Promise<RuleResult> {
  const shown = `/${source.length > 80 ? `${source.slice(0, 80)}…` : source}/${flags}`;
  const result = await runner.test(source, flags, output, workspaceId);
  switch (result.kind) {
    case "matched":
      return { outcome: "passed", explanation: `${capitalize(what)} matches ${shown}.` };
    case "no_match":
      return { outcome: "triggered", explanation: `${capitalize(what)} does not match ${shown}.` };
    case "timeout":
      return {
        outcome: "error",
        explanation:
          `The pattern ${shown} ran longer than ${result.budgetMs} ms on this output and was stopped ` +
          "(it backtracks too much); simplify it, e.g. avoid nested repeats like (a+)+.",
      };
    case "invalid":
      return { outcome: "error", explanation: `The pattern ${shown} cannot run: ${result.message}.` };
  }
}
