import type { ListLogsQuery } from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import { binder } from "../../db/bind";
import { escapeLike } from "../../db/like";
import type { SqlClient } from "../../db/sql";
import { LOG_LIST_COLUMNS, type LogListRecord } from "../../projections/log";
import { compileTraceFilters } from "../traces/filters";
import { decodeListCursor, encodeListCursor, type ListCursor } from "./list-cursor";
import { PENDING_REVIEW_SQL } from "./summary";

/** Joins the searched columns: a search text without it cannot match across two of them. */
const SEPARATOR = "\u001f";

/**
 * The text `q` searches besides the project name, as one expression: the GIN trigram index
 * `logs_search_trgm_idx` (prisma/migrations/20261207161000_list_indexes) is built on exactly this text.
 */
export const SEARCH_TEXT_SQL = `(coalesce(l.task_name, '') || E'\\x1f' || coalesce(l.model, '') || E'\\x1f' || coalesce(l.session_id, '') || E'\\x1f' ||
  coalesce(l.subject_id, '') || E'\\x1f' || coalesce(l.actor_id, ''))`;
const SEARCHED_COLUMNS = ["l.task_name", "l.model", "l.session_id", "l.subject_id", "l.actor_id"];

/**
 * Whether `q` is matched through the trigram index: trigrams need three letters or digits in a row (a shorter
 * text is matched row by row, in the list's order), and a text with the separator could match across columns.
 */
export const usesTrigrams = (q: string) => /[\p{L}\p{N}]{3}/u.test(q) && !q.includes(SEPARATOR);

/** What the list's WHERE takes from the database first. */
export interface ListContext {
  /** The projects whose name `q` matches, bound as values: the planner then knows how many logs they hold. */
  qProjectIds?: string[];
}

/** Reads the ListContext of `q` (one small query when q is given; nothing otherwise). */
export async function listContext(sql: SqlClient, workspaceId: string, q: ListLogsQuery): Promise<ListContext> {
  const text = q.q?.trim();
  if (!text) return {};
  const rows = await sql.query<{ id: string }>(`SELECT id FROM projects WHERE workspace_id = $1::uuid AND name ILIKE $2`, [
    workspaceId,
    `%${escapeLike(text)}%`,
  ]);
  return { qProjectIds: rows.map((r) => r.id) };
}

/**
 * The list's one WHERE (over `logs l JOIN projects p`): the flat query parameters and the typed filters,
 * ANDed, their values pushed to `params`. Without a `context`, q's projects are a subquery (same rows;
 * the planner guesses their share).
 */
export function listWhere(workspaceId: string, q: ListLogsQuery, params: unknown[], context: ListContext = {}): string {
  const bind = binder(params);
  const workspace = bind(workspaceId);
  const where = [`l.workspace_id = ${workspace}::uuid`];
  if (q.pending) where.push(PENDING_REVIEW_SQL);
  if (q.status) where.push(`l.status = ${bind(q.status)}::log_status`);
  // By id, so the planner reads the project's logs from an index in the list's order instead of joining first.
  if (q.project !== undefined) {
    where.push(`l.project_id = (SELECT id FROM projects WHERE workspace_id = ${workspace}::uuid AND name = ${bind(q.project)})`);
  }
  if (q.task !== undefined) where.push(`l.task_name = ${bind(q.task)}`);
  if (q.sessionId !== undefined) where.push(`l.session_id = ${bind(q.sessionId)}`);
  if (q.subjectId !== undefined) where.push(`l.subject_id = ${bind(q.subjectId)}`);
  if (q.actorId !== undefined) where.push(`l.actor_id = ${bind(q.actorId)}`);
  if (q.tags?.length) where.push(`l.tags @> ${bind(arrayLiteral(q.tags))}::text[]`);
  if (q.from) where.push(`l.timestamp >= ${bind(q.from.toISOString())}::timestamptz`);
  if (q.to) where.push(`l.timestamp <= ${bind(q.to.toISOString())}::timestamptz`);
  const text = q.q?.trim();
  if (text) {
    const pattern = bind(`%${escapeLike(text)}%`);
    const ids = context.qProjectIds;
    const inProjects =
      ids === undefined
        ? [`l.project_id = ANY (ARRAY(SELECT id FROM projects WHERE workspace_id = ${workspace}::uuid AND name ILIKE ${pattern}))`]
        : ids.length > 0
          ? [`l.project_id = ANY (${bind(arrayLiteral(ids))}::uuid[])`]
          : [];
    // The same rows either way (escapeLike leaves no wildcard that could match the separator).
    const inLogs = usesTrigrams(text)
      ? `${SEARCH_TEXT_SQL} ILIKE ${pattern}`
      : `(${SEARCHED_COLUMNS.map((column) => `${column} ILIKE ${pattern}`).join(" OR ")})`;
    where.push(`(${[...inProjects, inLogs].join(" OR ")})`);
  }
  where.push(...compileTraceFilters(q.filters ?? [], params));
  return where.join(" AND ");
}

interface SortKey {
  /** The column (alias l or p) and the list record's field it is read as. */
  sql: string;
  field: keyof LogListRecord;
  /** Model, latency and cost may be null: nulls come last in both directions. */
  nullable?: boolean;
  /** The type the cursor's value is bound as. */
  cast: string;
}

/** Columns the list sorts by; ties are broken by time then id (same direction) so pages never overlap or skip. */
const SORT_KEYS: Record<ListLogsQuery["sortBy"], SortKey> = {
  timestamp: { sql: "l.timestamp", field: "timestamp", cast: "timestamptz" },
  projectName: { sql: "p.name", field: "projectName", cast: "text" },
  model: { sql: "l.model", field: "model", nullable: true, cast: "text" },
  status: { sql: "l.status", field: "status", cast: "log_status" },
  latencyMs: { sql: "l.latency_ms", field: "latencyMs", nullable: true, cast: "float8" },
  costUsd: { sql: "l.cost_usd", field: "costUsd", nullable: true, cast: "float8" },
};

export interface ListPage {
  text: string;
  params: unknown[];
}

/**
 * The statement that reads one page of the list: `limit + 1` rows (one more says whether a next page
 * exists), after `q.cursor` if given, else at `q.page`. Every sort reads an index in its order:
 * - timestamp and status: (workspace, [status,] timestamp, id), forwards or backwards, the cursor one row
 *   comparison on it;
 * - model, latency, cost (nulls last both ways): the non-null rows from (workspace, column, timestamp, id),
 *   then the null rows from the same index, each part at most a page;
 * - project name: project after project in name order, each project's logs by (workspace, project,
 *   timestamp, id), at most a page of each.
 * Exposed so tests can EXPLAIN exactly what the service runs.
 */
export function listPageSql(workspaceId: string, q: ListLogsQuery, context: ListContext = {}): ListPage {
  const cursor = q.cursor === undefined ? undefined : decodeListCursor(q.cursor, q);
  const params: unknown[] = [];
  const where = listWhere(workspaceId, q, params, context);
  const bind = binder(params);
  const dir = q.sortDir === "asc" ? "ASC" : "DESC";
  const after = q.sortDir === "asc" ? ">" : "<";
  const offset = cursor ? 0 : (q.page - 1) * q.limit;
  const rows = q.limit + 1;
  const key = SORT_KEYS[q.sortBy];
  const at = cursor && { ts: `${bind(new Date(cursor.timestamp).toISOString())}::timestamptz`, id: bind(cursor.id) };
  const value = cursor && cursor.value !== null ? `${bind(cursor.value)}::${key.cast}` : undefined;
  // Past page 1 the skipped rows are found by their keys alone (from the index only, when the filters are in it),
  // and only the page's rows are read whole.
  const deferred = offset > 0;
  const columns = deferred
    ? `l.id AS "id", l.timestamp AS "timestamp"${key.field === "timestamp" ? "" : `, ${key.sql} AS "${key.field}"`}`
    : LOG_LIST_COLUMNS;
  const logs = deferred && !/\bp\./.test(where) ? "logs l" : "logs l JOIN projects p ON p.id = l.project_id";
  const select = (extra: string[], order: string, limit: number) =>
    `SELECT ${columns} FROM ${logs} WHERE ${[where, ...extra].join(" AND ")} ORDER BY ${order} LIMIT ${limit}`;
  const byTime = `l.timestamp ${dir}, l.id ${dir}`;
  const finish = (page: string): ListPage => {
    if (!deferred) return { text: page, params };
    const order = [
      key.nullable ? "k.part" : "",
      key.field === "timestamp" ? "" : `k."${key.field}" ${dir}`,
      `k."timestamp" ${dir}, k."id" ${dir}`,
    ];
    return {
      text: `SELECT ${LOG_LIST_COLUMNS} FROM (${page}) k JOIN logs l ON l.id = k.id JOIN projects p ON p.id = l.project_id ORDER BY ${order.filter(Boolean).join(", ")}`,
      params,
    };
  };

  if (q.sortBy === "timestamp") {
    return finish(`${select(at ? [`(l.timestamp, l.id) ${after} (${at.ts}, ${at.id})`] : [], byTime, rows)} OFFSET ${offset}`);
  }
  if (q.sortBy === "status") {
    const extra = at ? [`(l.status, l.timestamp, l.id) ${after} (${value}, ${at.ts}, ${at.id})`] : [];
    return finish(`${select(extra, `l.status ${dir}, ${byTime}`, rows)} OFFSET ${offset}`);
  }
  const outer = `"${key.field}" ${dir}, "timestamp" ${dir}, "id" ${dir}`;
  if (q.sortBy === "projectName") {
    // Inside the lateral, the cursor's own project resumes after the cursor; later projects start at their first log.
    const own = (then: string, otherwise: string) => `CASE WHEN p.name = ${value} THEN ${then} ELSE ${otherwise} END`;
    const resume = at
      ? [`(l.timestamp, l.id) ${after} (${own(at.ts, `'${dir === "ASC" ? "-" : ""}infinity'::timestamptz`)}, ${own(at.id, "''")})`]
      : [];
    const inner = `SELECT ${columns} FROM logs l WHERE ${[where, "l.project_id = p.id", ...resume].join(" AND ")} ORDER BY ${byTime} LIMIT ${offset + rows}`;
    const projects = [`p.workspace_id = ${bind(workspaceId)}::uuid`, ...(at ? [`p.name ${after}= ${value}`] : [])];
    return finish(
      `SELECT page.* FROM projects p CROSS JOIN LATERAL (${inner}) page WHERE ${projects.join(" AND ")} ` +
        `ORDER BY p.name ${dir}, page."timestamp" ${dir}, page."id" ${dir} LIMIT ${rows} OFFSET ${offset}`,
    );
  }
  // A nullable column: its non-null rows, then (nulls last) the null ones; a cursor among the nulls skips the first part.
  const parts: string[] = [];
  if (!at || value !== undefined) {
    const extra = [`${key.sql} IS NOT NULL`, ...(at ? [`(${key.sql}, l.timestamp, l.id) ${after} (${value}, ${at.ts}, ${at.id})`] : [])];
    parts.push(`(SELECT 0 AS part, page.* FROM (${select(extra, `${key.sql} ${dir}, ${byTime}`, offset + rows)}) page)`);
  }
  // After a cursor among the non-null rows, every null row is still to come.
  const nulls = [`${key.sql} IS NULL`, ...(at && value === undefined ? [`(l.timestamp, l.id) ${after} (${at.ts}, ${at.id})`] : [])];
  parts.push(`(SELECT 1 AS part, page.* FROM (${select(nulls, byTime, offset + rows)}) page)`);
  return finish(`SELECT * FROM (${parts.join(" UNION ALL ")}) page ORDER BY part, ${outer} LIMIT ${rows} OFFSET ${offset}`);
}

/** The cursor that resumes after `last` in the sort of `q`. */
export function cursorAfter(last: LogListRecord, q: ListLogsQuery): string {
  const key = SORT_KEYS[q.sortBy];
  return encodeListCursor({
    sortBy: q.sortBy,
    sortDir: q.sortDir,
    value: q.sortBy === "timestamp" ? null : (last[key.field] as string | number | null),
    timestamp: new Date(last.timestamp).getTime(),
    id: last.id,
  } satisfies ListCursor);
}
