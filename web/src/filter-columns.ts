/** The logs page's typed filters: the search API's column catalogue and operators (zod-free), from the shared source. */
import {
  FILTER_OPERATORS,
  operatorsOf,
  resolveFilterColumn,
  TRACE_FILTER_COLUMNS,
  TRACE_FILTER_KEYED_COLUMNS,
  TRACE_FILTERS_MAX,
  type FilterColumn,
  type FilterOperator,
} from "../../shared/src/contracts/trace-filter-catalogue";

export { operatorsOf, TRACE_FILTERS_MAX, type FilterColumn, type FilterOperator };

export type FilterValue = string | number | string[] | number[];

/** A filter as the list takes it (`filters`, JSON-encoded): column, operator, value. */
export interface TypedFilter {
  column: string;
  operator: FilterOperator;
  value?: FilterValue;
}

export const PLAIN_COLUMNS = Object.keys(TRACE_FILTER_COLUMNS);
export type KeyedPrefix = keyof typeof TRACE_FILTER_KEYED_COLUMNS;
export const KEYED_PREFIXES = Object.keys(TRACE_FILTER_KEYED_COLUMNS) as KeyedPrefix[];

export const OPERATOR_LABELS: Record<FilterOperator, string> = {
  equals: "=",
  not_equals: "≠",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  ends_with: "ends with",
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  in: "is one of",
  not_in: "is none of",
  exists: "is set",
  not_exists: "is not set",
};

/** The column a name stands for (its type, an enum's values); undefined for an unknown one. */
export function columnOf(name: string): FilterColumn | undefined {
  const column = resolveFilterColumn(name);
  return "error" in column ? undefined : column;
}

export const takesValue = (operator: FilterOperator) => operator !== "exists" && operator !== "not_exists";
const isList = (operator: FilterOperator) => operator === "in" || operator === "not_in";
const isOrder = (operator: FilterOperator) => operator === "gt" || operator === "gte" || operator === "lt" || operator === "lte";

function toNumber(text: string): number | undefined {
  const number = text.trim() === "" ? Number.NaN : Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * The value typed into the builder, as the column's type wants it: numbers for number columns (and for a JSON
 * column's order operators), a comma-separated text as a list for `in`/`not_in`, a local date-time as ISO.
 * The server checks it again; this only catches what the form can tell at once.
 */
export function parseValue(column: FilterColumn, operator: FilterOperator, text: string): { value?: FilterValue } | { error: string } {
  if (!takesValue(operator)) return {};
  const numeric = column.type === "number" || (column.type === "json" && isOrder(operator));
  if (isList(operator)) {
    const items = text
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
    if (items.length === 0) return { error: "Give one or more values, comma-separated." };
    if (!numeric) return { value: items };
    const numbers = items.map(toNumber);
    return numbers.every((n): n is number => n !== undefined) ? { value: numbers } : { error: "Every value must be a number." };
  }
  if (numeric) {
    const number = toNumber(text);
    return number === undefined ? { error: "The value must be a number." } : { value: number };
  }
  if (column.type === "datetime") {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? { error: "Pick a date and time." } : { value: date.toISOString() };
  }
  return text === "" ? { error: "Give a value." } : { value: text };
}

export const formatFilterValue = (value: FilterValue | undefined) =>
  value === undefined ? "" : Array.isArray(value) ? value.join(", ") : String(value);

const isValue = (value: unknown): value is FilterValue =>
  typeof value === "string" ||
  (typeof value === "number" && Number.isFinite(value)) ||
  (Array.isArray(value) && (value.every((v) => typeof v === "string") || value.every((v) => typeof v === "number")));

/** The filters a URL holds (`filters=<JSON>`); whatever is not a filter's shape is left out (the server checks the rest). */
export function readFilters(text: string | null): TypedFilter[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const filters: TypedFilter[] = [];
  for (const item of parsed.slice(0, TRACE_FILTERS_MAX) as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const { column, operator, value } = item as Record<string, unknown>;
    if (typeof column !== "string" || !FILTER_OPERATORS.some((op) => op === operator)) continue;
    const filter: TypedFilter = { column, operator: operator as FilterOperator };
    if (isValue(value)) filter.value = value;
    filters.push(filter);
  }
  return filters;
}
