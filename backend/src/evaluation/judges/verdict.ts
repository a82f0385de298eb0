import { z } from "zod";
import type { JudgeVerdict } from "../types";

const MAX_EXPLANATION = 1000;

/** The structured answer asked of every provider (OpenAI structured output, Anthropic tool input). */
export const VERDICT_JSON_SCHEMA = {
  type: "object" as const,
  // The explanation comes first: models write properties in schema order, and reasoning before the
  // decision gives better decisions than justifying one already made.
  properties: {
    explanation: {
      type: "string",
      description: "One or two short sentences a non-technical reader understands: what meets or fails the criteria.",
    },
    pass: { type: "boolean", description: "true only if the output meets every criterion." },
    confidence: { type: "number", description: "How sure you are of this verdict, from 0 to 1." },
  },
  required: ["explanation", "pass", "confidence"],
  additionalProperties: false,
};

const VerdictSchema = z.object({
  pass: z.boolean(),
  confidence: z.number().transform((c) => Math.min(1, Math.max(0, c))),
  explanation: z
    .string()
    .trim()
    .min(1)
    .transform((e) => (e.length > MAX_EXPLANATION ? `${e.slice(0, MAX_EXPLANATION - 1)}…` : e)),
});

export type VerdictParse = { ok: true; verdict: JudgeVerdict } | { ok: false; error: string };

/**
 * Reads a verdict from a provider's answer: an object (tool input, parsed JSON) or text holding one
 * JSON object, bare, in a ```json fence, or amid prose, as long as there is exactly one candidate.
 */
export function parseVerdict(answer: unknown): VerdictParse {
  const candidate = typeof answer === "string" ? extractObject(answer) : answer;
  const parsed = VerdictSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, verdict: parsed.data };
  return {
    ok: false,
    error: `The judge's answer was not a valid verdict (expected {pass, confidence, explanation}): ${excerpt(answer)}`,
  };
}

function extractObject(text: string): unknown {
  const whole = parseJsonObject(text.trim());
  if (whole !== undefined) return whole;
  const fenced = [...text.matchAll(/```[a-zA-Z]*\s*\n?([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const sources = fenced.length ? fenced : topLevelBraces(text);
  const objects = sources.map((s) => parseJsonObject(s.trim())).filter((o) => o !== undefined);
  return objects.length === 1 ? objects[0] : undefined;
}

function parseJsonObject(text: string): object | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The `{…}` spans at nesting depth zero, skipping braces inside JSON strings. */
function topLevelBraces(text: string): string[] {
  const spans: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"' && depth > 0) inString = true;
    else if (ch === "{") {
      if (depth++ === 0) start = i;
    } else if (ch === "}" && depth > 0 && --depth === 0) spans.push(text.slice(start, i + 1));
  }
  return spans;
}

export function excerpt(answer: unknown, max = 120): string {
  if (answer === undefined || answer === null || answer === "") return "(an empty answer)";
  const text = (typeof answer === "string" ? answer : JSON.stringify(answer)).replace(/\s+/g, " ").trim();
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
