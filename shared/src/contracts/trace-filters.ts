import { z } from "zod";
import { codePoints, isoDateTime } from "./fields";
import {
  FILTER_LIST_MAX,
  FILTER_TEXT_MAX,
  operatorsOf,
  resolveFilterColumn,
  TRACE_FILTERS_MAX,
  type FilterColumn,
  type FilterOperator,
} from "./trace-filter-catalogue";

/**
 * The typed filter language of trace search (`POST /api/traces/search`) and of `GET /api/logs?filters=`:
 * `{ column, operator, value }`, ANDed. The column catalogue and the operators of each column type
 * (trace-filter-catalogue.ts) are exported so clients can offer them; here is how a filter is checked.
 */
export * from "./trace-filter-catalogue";

const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const IsoValue = isoDateTime("value");

/** Epoch ms of a datetime value (epoch ms, or ISO 8601 text, read as UTC without a zone); undefined if it is neither. */
function epochMs(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 && value <= LATEST_MS ? value : undefined;
  if (!isFilterText(value)) return undefined;
  const parsed = IsoValue.safeParse(value);
  return parsed.success ? parsed.data.getTime() : undefined;
}

/** Text a filter may compare: at most FILTER_TEXT_MAX characters (code points), no NUL (Postgres text cannot hold it). */
const isFilterText = (value: unknown): value is string =>
  typeof value === "string" && codePoints(value) <= FILTER_TEXT_MAX && !value.includes("\u0000");
const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

type FilterValue = string | number | string[] | number[];
type ValueCheck = { value: FilterValue | undefined } | { error: string };

const TEXT = `text of at most ${FILTER_TEXT_MAX} characters (without NUL)`;
const LIST = `a list of 1 to ${FILTER_LIST_MAX}`;

/** A list value (`in`, `not_in`): 1 to FILTER_LIST_MAX items, each passing `item`. */
function listOf<T extends string | number>(value: unknown, item: (v: unknown) => v is T, what: string): ValueCheck {
  if (!Array.isArray(value) || value.length === 0 || value.length > FILTER_LIST_MAX || !value.every(item)) {
    return { error: `must be ${LIST} ${what}` };
  }
  return { value: value as T[] as FilterValue };
}

/** Checks (and normalizes: datetimes become epoch ms) the value of a filter whose column and operator fit. */
function checkValue(column: FilterColumn, operator: FilterOperator, value: unknown): ValueCheck {
  if (operator === "exists" || operator === "not_exists") {
    return value === undefined || value === null ? { value: undefined } : { error: `must be left out (${operator} takes no value)` };
  }
  const list = operator === "in" || operator === "not_in";
  switch (column.type) {
    case "string":
      if (list) return listOf(value, isFilterText, `texts (each ${TEXT})`);
      return isFilterText(value) ? { value } : { error: `must be ${TEXT}` };
    case "array":
      if (list) return listOf(value, isFilterText, `tags (each ${TEXT})`);
      return isFilterText(value) ? { value } : { error: `must be a tag: ${TEXT}` };
    case "number":
      if (list) return listOf(value, isFiniteNumber, "finite numbers");
      return isFiniteNumber(value) ? { value } : { error: "must be a finite number" };
    case "enum": {
      const values = column.values ?? [];
      const isValue = (v: unknown): v is string => typeof v === "string" && values.includes(v);
      if (list) return listOf(value, isValue, `of: ${values.join(", ")}`);
      return isValue(value) ? { value } : { error: `must be one of: ${values.join(", ")}` };
    }
    case "datetime": {
      const ms = epochMs(value);
      return ms === undefined
        ? { error: 'must be epoch milliseconds (a whole number) or an ISO 8601 date-time, e.g. "2026-05-01T12:00:00Z"' }
        : { value: ms };
    }
    case "json": {
      if (list) {
        const strings = listOf(value, isFilterText, "texts or of finite numbers");
        return "value" in strings ? strings : listOf(value, isFiniteNumber, "texts or of finite numbers");
      }
      if (operator === "equals" || operator === "not_equals") {
        return isFilterText(value) || isFiniteNumber(value) ? { value } : { error: `must be ${TEXT} or a finite number` };
      }
      if (operator === "gt" || operator === "gte" || operator === "lt" || operator === "lte") {
        return isFiniteNumber(value) ? { value } : { error: "must be a finite number" };
      }
      return isFilterText(value) ? { value } : { error: `must be ${TEXT}` };
    }
  }
}

/** A filter as validated: a known column, an operator its type takes, a value of its type (datetimes as epoch ms). */
export interface TraceFilter {
  column: string;
  operator: FilterOperator;
  value?: FilterValue;
}

export const TraceFilter = z
  .object(
    {
      column: z.unknown().meta({ description: "A column of the catalogue, or metadata.<key>, attributes.<key>, evaluations.<name>" }),
      operator: z.unknown().meta({ description: "An operator the column's type takes" }),
      value: z.unknown().optional().meta({ description: "Left out for exists / not_exists; a list for in / not_in" }),
    },
    { error: () => "each filter must be an object { column, operator, value }" },
  )
  .transform((filter, ctx): TraceFilter => {
    const fail = (field: "column" | "operator" | "value", message: string) => {
      ctx.addIssue({ code: "custom", path: [field], message });
      return z.NEVER;
    };
    if (typeof filter.column !== "string") return fail("column", 'column must be text, e.g. "sessionId" or "metadata.plan"');
    const column = resolveFilterColumn(filter.column);
    if ("error" in column) return fail("column", column.error);
    const operators = operatorsOf(column);
    if (typeof filter.operator !== "string" || !(operators as readonly string[]).includes(filter.operator)) {
      const shown = typeof filter.operator === "string" ? `"${filter.operator.slice(0, 40)}" does not fit` : "an operator is required for";
      return fail(
        "operator",
        `${shown} ${filter.column} (${/^[ae]/.test(column.type) ? "an" : "a"} ${column.type} column): use one of ${operators.join(", ")}`,
      );
    }
    const operator = filter.operator as FilterOperator;
    const checked = checkValue(column, operator, filter.value);
    if ("error" in checked) return fail("value", `value for ${filter.column} ${operator} ${checked.error}`);
    return checked.value === undefined ? { column: filter.column, operator } : { column: filter.column, operator, value: checked.value };
  })
  .meta({ id: "TraceFilter" });

export const TraceFilters = z
  .array(TraceFilter, { error: () => "filters must be an array of { column, operator, value }" })
  .max(TRACE_FILTERS_MAX, { error: `filters may have at most ${TRACE_FILTERS_MAX} filters` });

/** `filters` as a query parameter: the same array, JSON-encoded (an already-parsed array is taken as is, for tRPC). */
export const TraceFiltersParam = z
  .preprocess((value, ctx) => {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value);
    } catch {
      ctx.addIssue({
        code: "custom",
        message: 'filters must be a JSON array, e.g. [{"column":"tags","operator":"contains","value":"vip"}]',
      });
      return z.NEVER;
    }
  }, TraceFilters)
  .meta({ description: 'A JSON array of filters, e.g. [{"column":"tags","operator":"contains","value":"vip"}]' });
