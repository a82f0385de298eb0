import { LIMITS } from "@tracira/shared";
import { ApiError } from "../lib/api-error";

type Where = "body" | "query" | "params";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses, before validation, what no contract can accept safely:
 * - the NUL character (U+0000) in any text or key: Postgres text and jsonb cannot store it;
 * - a lone UTF-16 surrogate ("\ud800"): it is not valid Unicode, and jsonb refuses it;
 * - nesting deeper than `LIMITS.jsonDepth`: JSON.stringify and Postgres jsonb run out of stack on it.
 * The walk is iterative, so a hostile body cannot overflow the stack here either.
 */
export function assertStorableInput(value: unknown, where: Where): void {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === "string") {
      if (current.includes("\u0000")) throw refuse(path, where, "must not contain the NUL character (\\u0000)");
      if (LONE_SURROGATE.test(current)) throw refuse(path, where, "must be valid Unicode (it has a lone \\uD800–\\uDFFF surrogate)");
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (path.length >= LIMITS.jsonDepth) {
      const field = path[0] ?? where;
      throw invalid(field, where, `${field} is nested more than ${LIMITS.jsonDepth} levels deep`);
    }
    const entries: [string, unknown][] = Array.isArray(current) ? current.map((item, i) => [String(i), item]) : Object.entries(current);
    for (const [key, item] of entries) {
      if (key.includes("\u0000")) throw refuse(path, where, "keys must not contain the NUL character (\\u0000)");
      if (LONE_SURROGATE.test(key)) throw refuse(path, where, "keys must be valid Unicode");
      stack.push({ value: item, path: [...path, key] });
    }
  }
}

function refuse(path: string[], where: Where, why: string): ApiError {
  const field = path.length > 0 ? path.join(".") : where;
  return invalid(field, where, `${field} ${why}`);
}

function invalid(field: string, where: Where, why: string): ApiError {
  const place = where === "body" ? "request body" : where;
  return new ApiError("invalid_request", `Invalid ${place}: ${why}.`, { [field]: why });
}
