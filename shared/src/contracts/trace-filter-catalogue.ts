import { HUMAN_DECISIONS, LOG_STATUSES } from "../enums";
import { SPAN_KINDS, SPAN_STATUSES } from "./span-values";

/**
 * The catalogue of the typed filter language (trace search, `GET /api/logs?filters=`): its columns, their
 * types and the operators each type takes, without zod, so the dashboard offers them without loading it.
 * The checks of a filter are in trace-filters.ts.
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
