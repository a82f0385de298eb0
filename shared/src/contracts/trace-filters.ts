import { z } from "zod";
import { HUMAN_DECISIONS, LOG_STATUSES } from "../enums";
import { codePoints, isoDateTime } from "./fields";
import { SPAN_KINDS, SPAN_STATUSES } from "./traces";

/**
 * The typed filter language of trace search (`POST /api/traces/search`) and of `GET /api/logs?filters=`:
 * `{ column, operator, value }`, ANDed. The column catalogue and the operators of each column type are
 * exported so clients can offer them.
 */

/** A trace's outcome as trace search names it (mapped from the verdict, the human decision and the execution status). */
export const TRACE_SEARCH_STATUSES = ["success", "failure", "aborted", "cancelled", "pending", "unknown"] as const;
export type TraceSearchStatus = (typeof TRACE_SEARCH_STATUSES)[number];

export const FILTER_COLUMN_TYPES = ["string", "number", "datetime", "enum", "array", "json"] as const;
export type FilterColumnType = (typeof FILTER_COLUMN_TYPES)[number];

export const FILTER_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "gt",
  "gte",
  "lt",
  "lte",
  "in",
  "not_in",
  "exists",
  "not_exists",
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

const STRING_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "in",
  "not_in",
  "exists",
  "not_exists",
] as const;
const NUMBER_OPERATORS = ["equals", "not_equals", "gt", "gte", "lt", "lte", "in", "not_in", "exists", "not_exists"] as const;

/** The operators each column type takes (an enum column that is never empty takes no exists/not_exists). */
export const OPERATORS_BY_TYPE: Record<FilterColumnType, readonly FilterOperator[]> = {
  string: STRING_OPERATORS,
  number: NUMBER_OPERATORS,
  datetime: ["gt", "gte", "lt", "lte", "equals", "exists", "not_exists"],
  enum: ["equals", "not_equals", "in", "not_in", "exists", "not_exists"],
  array: ["contains", "not_contains", "in", "not_in", "exists", "not_exists"],
  json: [...STRING_OPERATORS.filter((op) => op !== "exists" && op !== "not_exists"), "gt", "gte", "lt", "lte", "exists", "not_exists"],
};

export interface FilterColumn {
  type: FilterColumnType;
  /** An enum column's values. */
  values?: readonly string[];
  /** Whether the column can be empty (absent or null): enum columns take exists/not_exists only then. */
  nullable?: boolean;
}

const string: FilterColumn = { type: "string" };
const number: FilterColumn = { type: "number" };
const datetime: FilterColumn = { type: "datetime" };

/** Every column a filter may name (a trace's fields and rollups, and what its spans and evaluations hold). */
export const TRACE_FILTER_COLUMNS = {
  id: string,
  name: string,
  taskName: string,
  sessionId: string,
  referenceId: string,
  subjectId: string,
  actorId: string,
  agentId: string,
  runnerId: string,
  threadId: string,
  runId: string,
  model: string,
  status: { type: "enum", values: TRACE_SEARCH_STATUSES },
  traceStatus: { type: "enum", values: SPAN_STATUSES },
  verdict: { type: "enum", values: LOG_STATUSES },
  humanDecision: { type: "enum", values: HUMAN_DECISIONS, nullable: true },
  startedAt: datetime,
  endedAt: datetime,
  createdAt: datetime,
  updatedAt: datetime,
  evaluatedAt: datetime,
  decidedAt: datetime,
  latency: number,
  cost: number,
  totalInputTokens: number,
  totalOutputTokens: number,
  totalTokens: number,
  spanCount: number,
  errorCount: number,
  llmCallCount: number,
  toolCallCount: number,
  confidenceScore: number,
  tags: { type: "array" },
  spanName: string,
  spanKind: { type: "enum", values: SPAN_KINDS, nullable: true },
  spanModel: string,
  evaluator: string,
} as const satisfies Record<string, FilterColumn>;
export type TraceFilterColumnName = keyof typeof TRACE_FILTER_COLUMNS;

/** Columns named with a key after a dot: `metadata.<key>`, `attributes.<key>`, `evaluations.<name>`. */
export const TRACE_FILTER_KEYED_COLUMNS = {
  metadata: { type: "json", nullable: true },
  attributes: { type: "json", nullable: true },
  evaluations: { type: "number", nullable: true },
} as const satisfies Record<string, FilterColumn>;
export type TraceFilterKeyedColumnName = keyof typeof TRACE_FILTER_KEYED_COLUMNS;

export const TRACE_FILTERS_MAX = 20;
export const FILTER_TEXT_MAX = 1_000;
export const FILTER_LIST_MAX = 100;
/** A metadata or attribute key (bound as a parameter, never SQL text). */
const JSON_KEY = /^[A-Za-z0-9_.:-]{1,200}$/;
/** An evaluation's name (rule names have spaces): any text without control characters. */
const EVALUATION_NAME = /^[^\p{Cc}]{1,200}$/u;

/** A column a filter names, resolved: its type, and the key of a keyed column. */
export type ResolvedFilterColumn =
  ({ name: TraceFilterColumnName; key?: undefined } & FilterColumn) | ({ name: TraceFilterKeyedColumnName; key: string } & FilterColumn);

const isOwn = <T extends object>(record: T, name: string): name is Extract<keyof T, string> => Object.hasOwn(record, name);

/** The column `text` names, or why it names none. */
export function resolveFilterColumn(text: string): ResolvedFilterColumn | { error: string } {
  if (isOwn(TRACE_FILTER_COLUMNS, text)) return { name: text, ...TRACE_FILTER_COLUMNS[text] };
  const dot = text.indexOf(".");
  const prefix = dot > 0 ? text.slice(0, dot) : "";
  if (!isOwn(TRACE_FILTER_KEYED_COLUMNS, prefix)) {
    const known = [
      ...Object.keys(TRACE_FILTER_COLUMNS),
      ...Object.keys(TRACE_FILTER_KEYED_COLUMNS).map((k) => (k === "evaluations" ? `${k}.<name>` : `${k}.<key>`)),
    ];
    return { error: `unknown column "${text.slice(0, 60)}": use one of ${known.join(", ")} (see the README, "Search")` };
  }
  const key = text.slice(dot + 1);
  const valid = prefix === "evaluations" ? EVALUATION_NAME.test(key) : JSON_KEY.test(key);
  if (!valid) {
    return {
      error:
        prefix === "evaluations"
          ? "evaluations.<name> needs an evaluation name of 1 to 200 characters (no control characters)"
          : `${prefix}.<key> needs a key of 1 to 200 letters, digits and _ - . :`,
    };
  }
  return { name: prefix, key, ...TRACE_FILTER_KEYED_COLUMNS[prefix] };
}

/** The operators a resolved column takes. */
export function operatorsOf(column: FilterColumn): readonly FilterOperator[] {
  const all = OPERATORS_BY_TYPE[column.type];
  return column.type === "enum" && !column.nullable ? all.filter((op) => op !== "exists" && op !== "not_exists") : all;
}

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
