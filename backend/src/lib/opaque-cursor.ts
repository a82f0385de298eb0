/**
 * Page cursors handed to callers as opaque text: base64url of a JSON array of where the page ended. Each
 * list checks the parts it needs; the helpers below hold what every cursor shares.
 */

export function encodeCursor(parts: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString("base64url");
}

/** The parts of a cursor of `length` parts; undefined for anything that is not one (never throws). */
export function decodeCursor(text: string, length: number): unknown[] | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    return Array.isArray(parts) && parts.length === length ? parts : undefined;
  } catch {
    return undefined;
  }
}

/** The largest epoch ms a Date holds. */
const MAX_DATE_MS = 8.64e15;

/** A cursor's time: whole epoch ms a Date can hold. */
export const isCursorTime = (v: unknown): v is number => Number.isSafeInteger(v) && Math.abs(v as number) <= MAX_DATE_MS;

/** A cursor's id (and any text part bound as a parameter): non-empty, without NUL, which Postgres text refuses. */
export const isCursorText = (v: unknown): v is string => typeof v === "string" && v.length > 0 && !v.includes("\u0000");
