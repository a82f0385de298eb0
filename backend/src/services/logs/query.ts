import type { ListLogsQuery, ListLogsResponse, LogDetail } from "@tracira/shared";
import type { PrismaClient } from "../../db/database";
import { ApiError } from "../../lib/api-error";
import type { SqlClient } from "../../db/sql";
import { logCountsOf } from "../../db/log-rollups";
import { LOG_RECORD_COLUMNS, toDetail, toListItem, type LogListRecord, type LogRecord } from "../../projections/log";
import { cursorAfter, listContext, listPageSql, listWhere } from "./list-sql";
import { LIST_COUNT_BUDGET_MS, listSummary, pageSummary } from "./summary";

export { listWhere };

export class LogQueryService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlClient,
    /** See Config.listCountBudgetMs. */
    private readonly countBudgetMs: number = LIST_COUNT_BUDGET_MS,
  ) {}

  async list(workspaceId: string, q: ListLogsQuery): Promise<ListLogsResponse> {
    const context = await listContext(this.sql, workspaceId, q);
    const page = listPageSql(workspaceId, q, context);
    const params: unknown[] = [];
    const from = `FROM logs l JOIN projects p ON p.id = l.project_id WHERE ${listWhere(workspaceId, q, params, context)}`;
    const [read, counted] = await Promise.all([
      this.sql.query<LogListRecord>(page.text, page.params),
      listSummary(this.sql, workspaceId, q, { from, params }, this.countBudgetMs),
    ]);
    const rows = read.slice(0, q.limit);
    const more = read.length > q.limit;
    const { total, exact, summary } = counted ?? pageSummary(q.cursor ? 0 : (q.page - 1) * q.limit, rows, more);
    const turns = await this.sessionTurns(
      workspaceId,
      rows.map((r) => r.sessionId),
    );
    return {
      executions: rows.map((r) => toListItem(r, r.sessionId ? (turns.get(r.sessionId) ?? 1) : 0)),
      total,
      totalExact: exact,
      page: q.page,
      limit: q.limit,
      nextCursor: more ? cursorAfter(rows.at(-1)!, q) : null,
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
