import type { RuleType } from "@tracira/shared";
import { parseJsonPath, type PathSegment } from "./json-path";

/** A rule's `value` text, parsed for its type. */
export type ParsedRuleValue =
  | { type: "keyword_required" | "keyword_forbidden"; keywords: string[] }
  | { type: "regex_match"; source: string; flags: string }
  | { type: "length_limit"; min: number; max: number }
  | { type: "confidence_threshold"; minimum: number }
  | { type: "json_field"; path: PathSegment[]; pathText: string }
  | {
      type: "json_field_keyword_required" | "json_field_keyword_forbidden";
      path: PathSegment[];
      pathText: string;
      keywords: string[];
    }
  | { type: "llm_judge"; criteria: string };

export type ParseResult = { ok: true; value: ParsedRuleValue } | { ok: false; error: string };

/** What each type's value looks like, for error messages and docs. */
export const VALUE_FORMATS: Record<RuleType, string> = {
  keyword_required: 'comma-separated keywords, e.g. "refund, apology"',
  keyword_forbidden: 'comma-separated keywords, e.g. "guarantee, lawsuit"',
  regex_match: 'a pattern, or /pattern/flags, e.g. "/^order #\\d+/i"',
  length_limit: 'a maximum ("500") or a range ("20-500") in characters',
  confidence_threshold: 'a minimum from 0 to 1, e.g. "0.8"',
  json_field: 'a JSON path, e.g. "customer.email" or "items[0].name"',
  json_field_keyword_required: 'a JSON path, a colon, then keywords, e.g. "reply.text: thanks, sorry"',
  json_field_keyword_forbidden: 'a JSON path, a colon, then keywords, e.g. "reply.text: lawsuit"',
  llm_judge: 'the criteria in plain language, e.g. "The reply is polite and does not promise refunds."',
};

const REGEX_FLAGS = /^[dgimsuvy]*$/;

export function parseRuleValue(type: RuleType, value: string): ParseResult {
  const fail = (why: string): ParseResult => ({ ok: false, error: `${why}; expected ${VALUE_FORMATS[type]}` });
  switch (type) {
    case "keyword_required":
    case "keyword_forbidden": {
      const keywords = parseKeywords(value);
      return keywords.length ? { ok: true, value: { type, keywords } } : fail("no keywords given");
    }
    case "regex_match": {
      const { source, flags } = splitRegex(value);
      if (!source) return fail("the pattern is empty");
      try {
        // Compiling is linear in the pattern's size; only matching can backtrack, and that runs in the regex pool.
        new RegExp(source, flags);
      } catch (err) {
        // V8 repeats the whole pattern in its message; the caller already has it.
        const why = (err as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, "");
        return fail(`the pattern does not compile (${why})`);
      }
      return { ok: true, value: { type, source, flags } };
    }
    case "length_limit": {
      const m = /^\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?$/.exec(value);
      if (!m) return fail(`"${clip(value)}" is not a length`);
      const [min, max] = m[2] === undefined ? [0, Number(m[1])] : [Number(m[1]), Number(m[2])];
      return min <= max ? { ok: true, value: { type, min, max } } : fail(`the minimum ${min} is above the maximum ${max}`);
    }
    case "confidence_threshold": {
      const minimum = /^\s*(\d+(\.\d+)?|\.\d+)\s*$/.test(value) ? Number(value) : NaN;
      return minimum >= 0 && minimum <= 1 ? { ok: true, value: { type, minimum } } : fail(`"${clip(value)}" is not a number from 0 to 1`);
    }
    case "json_field": {
      const path = parseJsonPath(value);
      return path.ok ? { ok: true, value: { type, path: path.segments, pathText: value.trim() } } : fail(path.error);
    }
    case "json_field_keyword_required":
    case "json_field_keyword_forbidden": {
      const colon = findPathColon(value);
      if (colon < 0) return fail("the colon between the path and the keywords is missing");
      const pathText = value.slice(0, colon).trim();
      const path = parseJsonPath(pathText);
      if (!path.ok) return fail(path.error);
      const keywords = parseKeywords(value.slice(colon + 1));
      return keywords.length ? { ok: true, value: { type, path: path.segments, pathText, keywords } } : fail("no keywords after the colon");
    }
    case "llm_judge": {
      const criteria = value.trim();
      return criteria ? { ok: true, value: { type, criteria } } : fail("the criteria are empty");
    }
  }
}

/** Keywords as written, trimmed, empties and repeats dropped (matching is case-insensitive). */
function parseKeywords(text: string): string[] {
  const seen = new Set<string>();
  return text
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k && !seen.has(foldCase(k)) && seen.add(foldCase(k)));
}

/** `/pattern/flags` when the text has that shape; otherwise the whole text is the pattern. */
function splitRegex(value: string): { source: string; flags: string } {
  const text = value.trim();
  const end = text.lastIndexOf("/");
  if (text.startsWith("/") && end > 0 && REGEX_FLAGS.test(text.slice(end + 1))) {
    return { source: text.slice(1, end), flags: text.slice(end + 1) };
  }
  return { source: value, flags: "" };
}

/** The first colon outside [ ] (a bracketed key may hold one). */
function findPathColon(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "[") depth++;
    else if (c === "]") depth = Math.max(0, depth - 1);
    else if (c === ":" && depth === 0) return i;
  }
  return -1;
}

/** Case-insensitive comparison form: canonical composition, then lower case. */
export function foldCase(text: string): string {
  return text.normalize("NFC").toLowerCase();
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
