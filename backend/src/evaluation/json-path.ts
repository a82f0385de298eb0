/**
 * Paths into a JSON output, as rules write them: `a.b[0].c`, `items[2]`, `["key.with.dots"]`, optionally
 * starting with `$.`. A dotted segment that is a whole number also indexes arrays (`items.0`).
 */
export type PathSegment = string | number;

export type ParsedPath = { ok: true; segments: PathSegment[] } | { ok: false; error: string };

const KEY = /^[^.[\]]+/;

export function parseJsonPath(text: string): ParsedPath {
  const path = text.trim();
  if (!path) return { ok: false, error: "the JSON path is empty; write it like customer.email or items[0].name" };
  let rest = path.startsWith("$") ? path.slice(1).replace(/^\./, "") : path;
  const segments: PathSegment[] = [];
  let expectKey = true;
  while (rest.length) {
    if (rest.startsWith("[")) {
      const close = matchBracket(rest);
      if (!close) return { ok: false, error: `"${path}" has an unclosed or malformed [ ]; use [0] for an index or ["key"] for a key` };
      segments.push(close.segment);
      rest = rest.slice(close.length);
      expectKey = false;
    } else if (rest.startsWith(".")) {
      if (expectKey) return { ok: false, error: `"${path}" has an empty segment (two dots, or a leading dot)` };
      rest = rest.slice(1);
      expectKey = true;
      if (!rest.length) return { ok: false, error: `"${path}" ends with a dot` };
    } else {
      if (!expectKey) return { ok: false, error: `"${path}" needs a dot before "${rest.slice(0, 20)}"` };
      const key = KEY.exec(rest)![0];
      segments.push(key.trim());
      rest = rest.slice(key.length);
      expectKey = false;
    }
  }
  return segments.length
    ? { ok: true, segments }
    : { ok: false, error: "the JSON path is empty; write it like customer.email or items[0].name" };
}

function matchBracket(text: string): { segment: PathSegment; length: number } | undefined {
  const index = /^\[\s*(\d+)\s*\]/.exec(text);
  if (index) return { segment: Number(index[1]), length: index[0].length };
  const quoted = /^\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]/.exec(text);
  if (!quoted) return undefined;
  const raw = quoted[1] ?? quoted[2] ?? "";
  return { segment: raw.replace(/\\(.)/g, "$1"), length: quoted[0].length };
}

export type Resolved = { found: true; value: unknown } | { found: false; missingAt: string };

/** Walks a parsed path; reports the first segment that is not there. */
export function resolveJsonPath(root: unknown, segments: PathSegment[]): Resolved {
  let current: unknown = root;
  const walked: string[] = [];
  for (const segment of segments) {
    walked.push(typeof segment === "number" ? `[${segment}]` : walked.length ? `.${segment}` : segment);
    const next = step(current, segment);
    if (!next.found) return { found: false, missingAt: walked.join("") };
    current = next.value;
  }
  return { found: true, value: current };
}

function step(value: unknown, segment: PathSegment): { found: boolean; value?: unknown } {
  if (Array.isArray(value)) {
    const index = typeof segment === "number" ? segment : /^\d+$/.test(segment) ? Number(segment) : NaN;
    return Number.isInteger(index) && index < value.length ? { found: true, value: value[index] } : { found: false };
  }
  if (value !== null && typeof value === "object") {
    const key = String(segment);
    return Object.hasOwn(value, key) ? { found: true, value: (value as Record<string, unknown>)[key] } : { found: false };
  }
  return { found: false };
}
