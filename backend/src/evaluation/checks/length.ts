import type { RuleResult } from "../types";
import { capitalize } from "./wording";

/** Length in characters as people count them (Unicode code points: an emoji is one). */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** `what` names the text in the explanation. */
export function checkLength(output: string, min: number, max: number, what = "the output"): RuleResult {
  const length = characterCount(output);
  const range = min > 0 ? `${min}–${max}` : `at most ${max}`;
  const has = `${capitalize(what)} has ${length} characters`;
  if (length < min || length > max) return { outcome: "triggered", explanation: `${has}; the limit is ${range}.` };
  return { outcome: "passed", explanation: `${has} (limit ${range}).` };
}
