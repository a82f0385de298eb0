import type { ListLogsQuery, ListLogsResponse, LogDetail } from "@tracira/shared";
import type { PrismaClient } from "../../db/database";
import { escapeLike } from "../../db/like";
import { ApiError } from "../../lib/api-error";
import type { SqlClient } from "../../db/sql";
import { arrayLiteral } from "../../db/array-literal";
import { binder } from "../../db/bind";
import { logCountsOf } from "../../db/log-rollups";
import { LOG_LIST_COLUMNS, LOG_RECORD_COLUMNS, toDetail, toListItem, type LogListRecord, type LogRecord } from "../../projections/log";
import { compileTraceFilters } from "../traces/filters";
import { listSummary, PENDING_REVIEW_SQL } from "./summary";

/**
 * The list's one WHERE (over `logs l JOIN projects p`): the flat query parameters and the typed filters,
 * ANDed, their values pushed to `params`.
 */
export function listWhere(workspaceId: string, q: ListLogsQuery, params: unknown[]): string {
  const bind = binder(params);
  const where = [`l.workspace_id = ${bind(workspaceId)}::uuid`];
  if (q.pending) where.push(PENDING_REVIEW_SQL);
  if (q.status) where.push(`l.status = ${bind(q.status)}::log_status`);
  if (q.project !== undefined) where.push(`p.name = ${bind(q.project)}`);
  if (q.task !== undefined) where.push(`l.task_name = ${bind(q.task)}`);
  if (q.sessionId !== undefined) where.push(`l.session_id = ${bind(q.sessionId)}`);
  if (q.subjectId !== undefined) where.push(`l.subject_id = ${bind(q.subjectId)}`);
  if (q.actorId !== undefined) where.push(`l.actor_id = ${bind(q.actorId)}`);
  if (q.tags?.length) where.push(`l.tags @> ${bind(arrayLiteral(q.tags))}::text[]`);
  if (q.from) where.push(`l.timestamp >= ${bind(q.from.toISOString())}::timestamptz`);
  if (q.to) where.push(`l.timestamp <= ${bind(q.to.toISOString())}::timestamptz`);
  if (q.q?.trim()) {
    const pattern = bind(`%${escapeLike(q.q.trim())}%`);
    const searched = ["p.name", "l.task_name", "l.model", "l.session_id", "l.subject_id", "l.actor_id"];
    where.push(`(${searched.map((column) => `${column} ILIKE ${pattern}`).join(" OR ")})`);
  }
  where.push(...compileTraceFilters(q.filters ?? [], params));
  return where.join(" AND ");
}

/** Columns the list sorts by; ties are broken by time then id so pages never overlap or skip. */
const SORT_COLUMNS: Record<ListLogsQuery["sortBy"], { sql: string; nullsLast?: boolean }> = {
  timestamp: { sql: "l.timestamp" },
  projectName: { sql: "p.name" },
  model: { sql: "l.model", nullsLast: true },
  status: { sql: "l.status" },
  latencyMs: { sql: "l.latency_ms", nullsLast: true },
  costUsd: { sql: "l.cost_usd", nullsLast: true },
};

function orderBy(q: ListLogsQuery): string {
  const dir = q.sortDir === "asc" ? "ASC" : "DESC";
  const primary = SORT_COLUMNS[q.sortBy];
  return `${primary.sql} ${dir}${primary.nullsLast ? " NULLS LAST" : ""}, l.timestamp ${dir}, l.id ${dir}`;
}

export class LogQueryService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlClient,
  ) {}

  async list(workspaceId: string, q: ListLogsQuery): Promise<ListLogsResponse> {
    const params: unknown[] = [];
    const where = listWhere(workspaceId, q, params);
    const from = `FROM logs l JOIN projects p ON p.id = l.project_id WHERE ${where}`;
    const page = params.length;
    const [rows, { total, summary }] = await Promise.all([
      this.sql.query<LogListRecord>(`SELECT ${LOG_LIST_COLUMNS} ${from} ORDER BY ${orderBy(q)} LIMIT $${page + 1} OFFSET $${page + 2}`, [
        ...params,
        q.limit,
        (q.page - 1) * q.limit,
      ]),
      listSummary(this.sql, workspaceId, q, { from, params }),
    ]);
    const turns = await this.sessionTurns(
      workspaceId,
      rows.map((r) => r.sessionId),
    );
    return {
      executions: rows.map((r) => toListItem(r, r.sessionId ? (turns.get(r.sessionId) ?? 1) : 0)),
      total,
      page: q.page,
      limit: q.limit,
      summary,
    };
  }

  async get(workspaceId: string, id: string): Promise<LogDetail> {
    const [row] = await this.sql.query<LogRecord>(
      `SELECT ${LOG_RECORD_COLUMNS} FROM logs l JOIN projects p ON p.id = l.project_id WHERE l.id = $1 AND l.workspace_id = $2::uuid`,
      [id, workspaceId],
    );
    if (!row) throw ApiError.notFound("Log");
    const turns = await this.sessionTurns(workspaceId, [row.sessionId]);
    return toDetail(row, row.sessionId ? (turns.get(row.sessionId) ?? 1) : 0);
  }

  async status(workspaceId: string, id: string) {
    const row = await this.prisma.log.findFirst({
      where: { id, workspaceId },
      select: { id: true, status: true, verdict: true, confidenceScore: true, explanation: true, humanDecision: true },
    });
    if (!row) throw ApiError.notFound("Log");
    return { ...row, verdict: row.verdict === "pending" ? null : row.verdict };
  }

  /** Distinct task names: registered tasks plus names of tasks some log has (from the rollups). */
  async taskNames(workspaceId: string, project?: string): Promise<string[]> {
    const inProject =
      project !== undefined ? `AND project_id IN (SELECT id FROM projects WHERE workspace_id = $1::uuid AND name = $2)` : "";
    const rows = await this.sql.query<{ name: string }>(
      `SELECT name FROM tasks t WHERE workspace_id = $1::uuid ${inProject}
       UNION
       SELECT task_name FROM ${logCountsOf("$1")} r WHERE task_name <> '' ${inProject} GROUP BY task_name HAVING sum(n) > 0`,
      project !== undefined ? [workspaceId, project] : [workspaceId],
    );
    return rows.map((r) => r.name).sort((a, b) => a.localeCompare(b));
  }

  /** How many logs each session has: the conversation length shown beside each log. */
  private async sessionTurns(workspaceId: string, sessionIds: (string | null)[]): Promise<Map<string, number>> {
    const ids = [...new Set(sessionIds.filter((s): s is string => !!s))];
    if (ids.length === 0) return new Map();
    const groups = await this.prisma.log.groupBy({
      by: ["sessionId"],
      where: { workspaceId, sessionId: { in: ids } },
      _count: { _all: true },
    });
    return new Map(groups.map((g) => [g.sessionId as string, g._count._all]));
  }
}
