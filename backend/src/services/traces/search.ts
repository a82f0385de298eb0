import type { SearchTracesBody, SearchTracesResponse, TraceFilter, TraceSearchItem } from "@tracira/shared";
import { binder } from "../../db/bind";
import { escapeLike } from "../../db/like";
import type { SqlClient } from "../../db/sql";
import { compileTraceFilters, TRACE_COST_SQL, TRACE_NAME_SQL } from "./filters";
import { resolveProject } from "./project-ref";
import { header, type TraceRow } from "./query";
import { decodeSearchCursor, encodeSearchCursor } from "./search-cursor";

interface SearchRow extends TraceRow {
  subject_id: string | null;
  session_id: string | null;
  cost: number | null;
  created_at: Date;
  updated_at: Date;
  span_ids: string[];
}

/** The flat parameters are filters too (the same columns, so they mean the same). */
function flatFilters(body: SearchTracesBody): TraceFilter[] {
  const flat: (TraceFilter | false)[] = [
    body.startedAfter !== undefined && { column: "startedAt", operator: "gte", value: body.startedAfter },
    body.startedBefore !== undefined && { column: "startedAt", operator: "lte", value: body.startedBefore },
    body.status !== undefined && { column: "status", operator: "equals", value: body.status },
    body.referenceId !== undefined && { column: "referenceId", operator: "equals", value: body.referenceId },
    body.sessionId !== undefined && { column: "sessionId", operator: "equals", value: body.sessionId },
  ];
  return flat.filter((f): f is TraceFilter => f !== false);
}

/** Trace search of one project: flat parameters and typed filters ANDed, keyset pages on (start, id). */
export class TraceSearchService {
  constructor(private readonly sql: SqlClient) {}

  async search(workspaceId: string, body: SearchTracesBody): Promise<SearchTracesResponse> {
    const cursor = body.cursor === undefined ? undefined : decodeSearchCursor(body.cursor, body.sort);
    const project = await resolveProject(this.sql, workspaceId, body.projectId);
    const params: unknown[] = [];
    const bind = binder(params);
    const where = [`l.workspace_id = ${bind(workspaceId)}::uuid`, `l.project_id = ${bind(project.id)}::uuid`];
    where.push(...compileTraceFilters([...flatFilters(body), ...(body.filters ?? [])], params));
    if (body.name?.trim()) {
      const pattern = bind(`%${escapeLike(body.name.trim())}%`);
      where.push(
        `(${TRACE_NAME_SQL} ILIKE ${pattern} OR EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = l.id AND s.name ILIKE ${pattern}))`,
      );
    }
    const direction = body.sort === "startedAt:asc" ? "ASC" : "DESC";
    if (cursor) {
      const after = direction === "ASC" ? ">" : "<";
      where.push(`(l.started_at, l.id) ${after} (${bind(new Date(cursor.startedAt).toISOString())}::timestamptz, ${bind(cursor.id)})`);
    }
    const rows = await this.sql.query<SearchRow>(
      `SELECT l.id, ${TRACE_NAME_SQL} AS name, l.trace_status, l.span_count, l.started_at, l.ended_at, l.timestamp, l.latency_ms,
         l.total_input_tokens, l.total_output_tokens, l.total_cost_usd, l.tags, l.metadata, l.subject_id, l.session_id,
         ${TRACE_COST_SQL} AS cost, l.created_at, l.updated_at,
         ARRAY(SELECT s.id FROM spans s WHERE s.trace_id = l.id ORDER BY s.dotted_order, s.id) AS span_ids
       FROM logs l JOIN projects p ON p.id = l.project_id
       WHERE ${where.join(" AND ")}
       ORDER BY l.started_at ${direction}, l.id ${direction}
       LIMIT ${bind(body.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, body.limit);
    const last = page.at(-1);
    const hasMore = rows.length > body.limit;
    return {
      pagination: {
        limit: body.limit,
        returned: page.length,
        hasMore,
        nextCursor:
          hasMore && last
            ? encodeSearchCursor({ sort: body.sort, startedAt: new Date(last.started_at ?? last.timestamp).getTime(), id: last.id })
            : null,
      },
      traces: page.map(toSearchItem),
    };
  }
}

const epochMs = (iso: string | null) => (iso === null ? null : Date.parse(iso));

function toSearchItem(row: SearchRow): TraceSearchItem {
  const trace = header(row);
  return {
    id: row.id,
    name: trace.name,
    startedAt: Date.parse(trace.started_at),
    endedAt: epochMs(trace.ended_at),
    latency: trace.duration_ms,
    referenceId: row.subject_id,
    sessionId: row.session_id,
    attributes: trace.metadata,
    tags: trace.tags,
    totalCost: row.cost,
    totalInputTokens: trace.total_input_tokens,
    totalOutputTokens: trace.total_output_tokens,
    spanIds: row.span_ids ?? [],
    createdAt: new Date(row.created_at).getTime(),
    updatedAt: new Date(row.updated_at).getTime(),
  };
}
