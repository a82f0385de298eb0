import type { RuleResult } from "../types";
import { foldCase } from "../rule-values";
import { capitalize } from "./wording";

const quoteList = (words: string[]) => words.map((w) => `"${w}"`).join(", ");

/** The keywords found in `text` (case-insensitive substring match), and those not found. */
export function findKeywords(text: string, keywords: string[]): { present: string[]; absent: string[] } {
  const haystack = foldCase(text);
  const present: string[] = [];
  const absent: string[] = [];
  for (const keyword of keywords) (haystack.includes(foldCase(keyword)) ? present : absent).push(keyword);
  return { present, absent };
}

/** Triggered when any keyword is absent. `where` names the text searched, e.g. "the output". */
export function requireKeywords(text: string, keywords: string[], where: string): RuleResult {
  const { absent } = findKeywords(text, keywords);
  return absent.length
    ? { outcome: "triggered", explanation: `Missing required keyword${absent.length > 1 ? "s" : ""} in ${where}: ${quoteList(absent)}.` }
    : { outcome: "passed", explanation: `${capitalize(where)} contains every required keyword.` };
}

/** Triggered when any keyword is present. */
export function forbidKeywords(text: string, keywords: string[], where: string): RuleResult {
  const { present } = findKeywords(text, keywords);
  return present.length
    ? { outcome: "triggered", explanation: `Forbidden keyword${present.length > 1 ? "s" : ""} found in ${where}: ${quoteList(present)}.` }
    : { outcome: "passed", explanation: `No forbidden keyword in ${where}.` };
}
