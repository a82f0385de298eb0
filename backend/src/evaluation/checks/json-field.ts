import { resolveJsonPath, type PathSegment } from "../json-path";
import type { RuleResult } from "../types";
import { forbidKeywords, requireKeywords } from "./keywords";
import { capitalize } from "./wording";

export type ParsedOutput = { ok: true; value: unknown } | { ok: false };

const FENCED = /^\s*```[a-zA-Z]*[ \t]*\r?\n([\s\S]*?)\r?\n?```\s*$/;

/** The output as JSON; a single ```json fence around it is tolerated, as models often add one. */
export function parseOutputJson(output: string): ParsedOutput {
  for (const text of [output, FENCED.exec(output)?.[1]]) {
    if (text === undefined) continue;
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      // try the next form
    }
  }
  return { ok: false };
}

/** `what` names the checked text ("the output", "the span's output"). */
const NOT_JSON = (path: string, what: string): RuleResult => ({
  outcome: "triggered",
  explanation: `${capitalize(what)} is not valid JSON, so the field ${path} cannot be read.`,
});

/** A field's value as searchable text: strings as they are, anything else as its JSON. */
const fieldText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Triggered when the output is not JSON or the field is missing, null or empty. */
export function checkJsonField(json: ParsedOutput, path: PathSegment[], pathText: string, what = "the output"): RuleResult {
  if (!json.ok) return NOT_JSON(pathText, what);
  const field = resolveJsonPath(json.value, path);
  if (!field.found) return { outcome: "triggered", explanation: `The field ${pathText} is missing (nothing at ${field.missingAt}).` };
  if (field.value === null) return { outcome: "triggered", explanation: `The field ${pathText} is null.` };
  if (isEmpty(field.value)) return { outcome: "triggered", explanation: `The field ${pathText} is empty.` };
  return { outcome: "passed", explanation: `The field ${pathText} is present.` };
}

/** Triggered when the field is missing or lacks any keyword. */
export function checkJsonFieldRequires(
  json: ParsedOutput,
  path: PathSegment[],
  pathText: string,
  keywords: string[],
  what = "the output",
): RuleResult {
  if (!json.ok) return NOT_JSON(pathText, what);
  const text = presentFieldText(json.value, path);
  if (text === undefined) {
    return { outcome: "triggered", explanation: `The field ${pathText} is missing, so its required keywords are too.` };
  }
  return requireKeywords(text, keywords, `the field ${pathText}`);
}

/** Triggered when the field contains any keyword; a missing field contains none. */
export function checkJsonFieldForbids(
  json: ParsedOutput,
  path: PathSegment[],
  pathText: string,
  keywords: string[],
  what = "the output",
): RuleResult {
  if (!json.ok) return NOT_JSON(pathText, what);
  const text = presentFieldText(json.value, path);
  if (text === undefined) {
    return { outcome: "passed", explanation: `The field ${pathText} is absent, so it holds no forbidden keyword.` };
  }
  return forbidKeywords(text, keywords, `the field ${pathText}`);
}

/** The text of the field at `path`, or undefined when it is missing or null (the keyword checks' "absent"). */
function presentFieldText(value: unknown, path: PathSegment[]): string | undefined {
  const field = resolveJsonPath(value, path);
  return field.found && field.value !== null && field.value !== undefined ? fieldText(field.value) : undefined;
}
