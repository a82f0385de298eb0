import {
  resolveFilterColumn,
  type FilterColumnType,
  type FilterOperator,
  type TraceFilter,
  type TraceFilterColumnName,
  type TraceFilterKeyedColumnName,
} from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import { binder } from "../../db/bind";
import { escapeLike } from "../../db/like";
import { TRACE_DURATION_MS, TRACE_END } from "./trace-sql";

/**
 * Trace filters as parameterised SQL over a log `l` joined to its project `p`: each value (and each
 * metadata/attribute key) is pushed to `params` and named by its `$n`; nothing a caller sent becomes SQL
 * text. Filters are validated by the shared contract before they reach here.
 */

/** The trace's name, as the trace API names it: its own, else its task's, else its project's. */
export const TRACE_NAME_SQL = `coalesce(l.trace_name, l.task_name, p.name)`;

/** The spans' total cost when they have one, else the log's own `costUsd` (null when neither is known). */
export const TRACE_COST_SQL = `CASE WHEN l.total_cost_usd > 0 THEN l.total_cost_usd ELSE l.cost_usd END`;

/** The search status: the first row that applies wins (README, "Search"). */
export const TRACE_SEARCH_STATUS_SQL = `CASE
  WHEN l.human_decision = 'rejected' THEN 'cancelled'
  WHEN l.status = 'pending' OR l.trace_status = 'running' THEN 'pending'
  WHEN l.human_decision = 'approved' THEN 'success'
  WHEN l.trace_status = 'error' THEN 'failure'
  WHEN l.verdict = 'pass' THEN 'success'
  WHEN l.verdict = 'flagged' THEN 'failure'
  WHEN l.verdict = 'error' THEN 'aborted'
  ELSE 'unknown' END`;

/** Where a column's values are: the log's own (one value), or its spans' or evaluations' rows (any of them). */
interface ColumnSql {
  sql: string;
  rows?: "spans" | "evaluations";
}

const COLUMN_SQL: Record<TraceFilterColumnName, ColumnSql> = {
  id: { sql: "l.id" },
  name: { sql: TRACE_NAME_SQL },
  taskName: { sql: "l.task_name" },
  sessionId: { sql: "l.session_id" },
  referenceId: { sql: "l.subject_id" },
  subjectId: { sql: "l.subject_id" },
  actorId: { sql: "l.actor_id" },
  agentId: { sql: "l.agent_id" },
  runnerId: { sql: "l.runner_id" },
  threadId: { sql: "l.thread_id" },
  runId: { sql: "l.run_id" },
  model: { sql: "l.model" },
  status: { sql: `(${TRACE_SEARCH_STATUS_SQL})` },
  traceStatus: { sql: "l.trace_status" },
  verdict: { sql: "l.status::text" },
  humanDecision: { sql: "l.human_decision::text" },
  startedAt: { sql: "l.started_at" },
  endedAt: { sql: TRACE_END },
  createdAt: { sql: "l.created_at" },
  updatedAt: { sql: "l.updated_at" },
  evaluatedAt: { sql: "l.evaluated_at" },
  decidedAt: { sql: "l.decided_at" },
  latency: { sql: TRACE_DURATION_MS },
  cost: { sql: `(${TRACE_COST_SQL})` },
  totalInputTokens: { sql: "l.total_input_tokens" },
  totalOutputTokens: { sql: "l.total_output_tokens" },
  totalTokens: { sql: "(l.total_input_tokens + l.total_output_tokens)" },
  spanCount: { sql: "l.span_count" },
  errorCount: { sql: "l.error_count" },
  llmCallCount: { sql: "l.llm_call_count" },
  toolCallCount: { sql: "l.tool_call_count" },
  confidenceScore: { sql: "l.confidence_score" },
  tags: { sql: "l.tags" },
  spanName: { sql: "s.name", rows: "spans" },
  spanKind: { sql: "s.kind", rows: "spans" },
  spanModel: { sql: "s.model", rows: "spans" },
  evaluator: { sql: "e.evaluator", rows: "evaluations" },
};

/** Keyed columns: the JSON object the key is looked up in, or (evaluations) the score of the evaluations so named. */
const KEYED_COLUMN_SQL: Record<TraceFilterKeyedColumnName, ColumnSql> = {
  metadata: { sql: "l.metadata" },
  attributes: { sql: "s.attributes", rows: "spans" },
  evaluations: { sql: "e.score", rows: "evaluations" },
};

/** Each negative operator matches exactly the traces its positive one does not (a trace without the value included). */
const NEGATION: Partial<Record<FilterOperator, FilterOperator>> = {
  not_equals: "equals",
  not_contains: "contains",
  not_in: "in",
  not_exists: "exists",
};

const COMPARISON: Partial<Record<FilterOperator, string>> = { equals: "=", gt: ">", gte: ">=", lt: "<", lte: "<=" };

/** LIKE patterns of the text operators (case-insensitive, the text's own % and _ taken literally). */
const PATTERN: Partial<Record<FilterOperator, (text: string) => string>> = {
  contains: (text) => `%${escapeLike(text)}%`,
  starts_with: (text) => `${escapeLike(text)}%`,
  ends_with: (text) => `%${escapeLike(text)}`,
};

type Bind = ReturnType<typeof binder>;

/** The filters as SQL conditions (to be ANDed), their values pushed to `params`. */
export function compileTraceFilters(filters: readonly TraceFilter[], params: unknown[]): string[] {
  const bind = binder(params);
  return filters.map((filter) => compileFilter(filter, bind));
}

function compileFilter(filter: TraceFilter, bind: Bind): string {
  const column = resolveFilterColumn(filter.column);
  if ("error" in column) throw new Error(`unvalidated filter column: ${column.error}`);
  const positive = NEGATION[filter.operator];
  const operator = positive ?? filter.operator;
  const { sql, rows } = column.key === undefined ? COLUMN_SQL[column.name] : KEYED_COLUMN_SQL[column.name];
  let condition: string;
  if (column.name === "evaluations") {
    // The key is the evaluation's name; the value compared is its score.
    condition = `e.name = ${bind(column.key)} AND ${predicate("number", sql, operator, filter.value, bind)}`;
  } else if (column.key !== undefined) {
    condition = jsonPredicate(sql, bind(column.key), operator, filter.value, bind);
  } else {
    condition = predicate(column.type, sql, operator, filter.value, bind);
  }
  const matched =
    rows === "spans"
      ? `EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = l.id AND ${condition})`
      : rows === "evaluations"
        ? `EXISTS (SELECT 1 FROM evaluations e WHERE e.trace_id = l.id AND ${condition})`
        : condition;
  return positive ? `NOT coalesce((${matched}), false)` : `(${matched})`;
}

/** `sql` (a value of `type`) against a positive operator. */
function predicate(type: FilterColumnType, sql: string, operator: FilterOperator, value: unknown, bind: Bind): string {
  if (operator === "exists") return type === "array" ? `cardinality(${sql}) > 0` : `${sql} IS NOT NULL`;
  switch (type) {
    case "array":
      // contains: has this tag; in: has any of these.
      return operator === "contains"
        ? `${sql} @> ${bind(arrayLiteral([value as string]))}::text[]`
        : `${sql} && ${bind(arrayLiteral(value as string[]))}::text[]`;
    case "number":
      return operator === "in"
        ? `${sql} = ANY(${bind(arrayLiteral(value as number[]))}::float8[])`
        : `${sql} ${COMPARISON[operator]} ${bind(value)}::float8`;
    case "datetime":
      return `${sql} ${COMPARISON[operator]} ${bind(new Date(value as number).toISOString())}::timestamptz`;
    default:
      return textPredicate(sql, operator, value, bind);
  }
}

function textPredicate(sql: string, operator: FilterOperator, value: unknown, bind: Bind): string {
  if (operator === "in") return `${sql} = ANY(${bind(arrayLiteral(value as string[]))}::text[])`;
  const pattern = PATTERN[operator];
  return pattern ? `${sql} ILIKE ${bind(pattern(value as string))}` : `${sql} = ${bind(value)}`;
}

/** A JSON object's `key`: a number value compares JSON numbers, a text value compares the value as text. */
function jsonPredicate(object: string, key: string, operator: FilterOperator, value: unknown, bind: Bind): string {
  const text = `(${object} ->> ${key}::text)`;
  if (operator === "exists") return `${text} IS NOT NULL`;
  const numeric = typeof value === "number" || (Array.isArray(value) && typeof value[0] === "number");
  if (!numeric) return textPredicate(text, operator, value, bind);
  const number = `(CASE WHEN jsonb_typeof(${object} -> ${key}::text) = 'number' THEN ${text}::float8 END)`;
  return predicate("number", number, operator, value, bind);
}
