/** A value a spreadsheet would run as a formula starts with one of these; such a value gets a leading `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): null is empty, a value starting with `=`, `+`, `-`, `@`, TAB or CR is prefixed
 * with `'` (spreadsheet formula injection), and a field holding a comma, quote, CR or LF is quoted with its
 * quotes doubled.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF. */
export const csvLine = (fields: readonly (string | number | boolean | null)[]) => `${fields.map(csvField).join(",")}\r\n`;

/** A CSV file to send: its name, its header row, and its records produced while they are written. */
export interface CsvDownload {
  filename: string;
  header: readonly string[];
  /** The records as CSV text, a batch at a time: nothing waits in memory for a slow reader. */
  records: AsyncIterable<string>;
}
