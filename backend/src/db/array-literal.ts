/**
 * A Postgres array literal. Passed as text, so pg and PGlite send it as is (PGlite cannot serialize
 * arrays of enums, and a literal keeps both drivers' text encoding of every value).
 */
export function arrayLiteral(values: readonly (string | number | null)[]): string {
  return `{${values.map((v) => (v === null ? "NULL" : `"${String(v).replace(/[\\"]/g, "\\$&")}"`)).join(",")}}`;
}
