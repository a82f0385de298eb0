import { LIMITS } from "@tracira/shared";
import { ApiError } from "./errors";

type Where = "body" | "query" | "params";

/**
 * Refuses, before validation, what no contract can accept safely:
 * - the NUL character (U+0000) in any text or key: Postgres text and jsonb cannot store it;
 * - nesting deeper than `LIMITS.jsonDepth`: JSON.stringify and Postgres jsonb run out of stack on it.
 * The walk is iterative, so a hostile body cannot overflow the stack here either.
 */
export function assertStorableInput(value: unknown, where: Where): void {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === "string") {
      if (current.includes("\u0000")) throw containsNul(path, where, "must not contain the NUL character (\\u0000)");
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (path.length >= LIMITS.jsonDepth) {
      const field = path[0] ?? where;
      throw invalid(field, where, `${field} is nested more than ${LIMITS.jsonDepth} levels deep`);
    }
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((item, i) => [String(i), item])
      : Object.entries(current);
    for (const [key, item] of entries) {
      if (key.includes("\u0000")) throw containsNul(path, where, "keys must not contain the NUL character (\\u0000)");
      stack.push({ value: item, path: [...path, key] });
    }
  }
}

function containsNul(path: string[], where: Where, why: string): ApiError {
  const field = path.length > 0 ? path.join(".") : where;
  return invalid(field, where, `${field} ${why}`);
}

function invalid(field: string, where: Where, why: string): ApiError {
  const place = where === "body" ? "request body" : where;
  return new ApiError("invalid_request", `Invalid ${place}: ${why}.`, { [field]: why });
}
