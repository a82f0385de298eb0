import type { ListLogsQuery, ListLogsResponse, LogDetail } from "@tracira/shared";
import type { PrismaClient } from "../../db/database";
import { escapeLike } from "../../db/like";
import type { Prisma } from "../../generated/prisma/client";
import { ApiError } from "../../lib/api-error";
import type { SqlClient } from "../../db/sql";
import { fromPrisma, LOG_RECORD_COLUMNS, logWithProject, toDetail, toListItem, type LogRecord } from "../../projections/log";

const contains = (q: string) => ({ contains: escapeLike(q), mode: "insensitive" as const });

export function listWhere(workspaceId: string, q: ListLogsQuery): Prisma.LogWhereInput {
  const and: Prisma.LogWhereInput[] = [{ workspaceId }];
  if (q.pending) and.push({ humanDecision: null, status: { in: ["flagged", "error"] } });
  if (q.status) and.push({ status: q.status });
  if (q.project !== undefined) and.push({ project: { name: q.project } });
  if (q.task !== undefined) and.push({ taskName: q.task });
  if (q.sessionId !== undefined) and.push({ sessionId: q.sessionId });
  if (q.subjectId !== undefined) and.push({ subjectId: q.subjectId });
  if (q.actorId !== undefined) and.push({ actorId: q.actorId });
  if (q.tags?.length) and.push({ tags: { hasEvery: q.tags } });
  if (q.from) and.push({ timestamp: { gte: q.from } });
  if (q.to) and.push({ timestamp: { lte: q.to } });
  if (q.q?.trim()) {
    const text = q.q.trim();
    and.push({
      OR: [
        { project: { name: contains(text) } },
        { taskName: contains(text) },
        { model: contains(text) },
        { sessionId: contains(text) },
        { subjectId: contains(text) },
        { actorId: contains(text) },
      ],
    });
  }
  return { AND: and };
}

function orderBy(q: ListLogsQuery): Prisma.LogOrderByWithRelationInput[] {
  const dir = q.sortDir;
  const nullsLast = { sort: dir, nulls: "last" } as const;
  const primary: Prisma.LogOrderByWithRelationInput =
    q.sortBy === "projectName"
      ? { project: { name: dir } }
      : q.sortBy === "model"
        ? { model: nullsLast }
        : q.sortBy === "latencyMs"
          ? { latencyMs: nullsLast }
          : q.sortBy === "costUsd"
            ? { costUsd: nullsLast }
            : { [q.sortBy]: dir };
  // Ties are broken by time then id so pages never overlap or skip.
  return [primary, { timestamp: dir }, { id: dir }];
}

export class LogQueryService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlClient,
  ) {}

  async list(workspaceId: string, q: ListLogsQuery): Promise<ListLogsResponse> {
    const where = listWhere(workspaceId, q);
    const [rows, byStatus, pendingReviews] = await Promise.all([
      this.prisma.log.findMany({
        where,
        include: logWithProject,
        orderBy: orderBy(q),
        skip: (q.page - 1) * q.limit,
        take: q.limit,
      }),
      this.prisma.log.groupBy({ by: ["status"], where, _count: { _all: true } }),
      this.prisma.log.count({ where: { AND: [where, { humanDecision: null, status: { in: ["flagged", "error"] } }] } }),
    ]);
    const count = (s: string) => byStatus.find((g) => g.status === s)?._count._all ?? 0;
    const total = byStatus.reduce((sum, g) => sum + g._count._all, 0);
    const finished = count("pass") + count("flagged") + count("error");
    const turns = await this.sessionTurns(
      workspaceId,
      rows.map((r) => r.sessionId),
    );
    return {
      executions: rows.map((r) => toListItem(fromPrisma(r), r.sessionId ? (turns.get(r.sessionId) ?? 1) : 0)),
      total,
      page: q.page,
      limit: q.limit,
      summary: {
        totalRuns: total,
        failuresDetected: count("flagged") + count("error"),
        pendingReviews,
        successRate: finished === 0 ? 0 : Math.round((1000 * count("pass")) / finished) / 10,
      },
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

  /** Distinct task names: registered tasks plus names seen on logs. */
  async taskNames(workspaceId: string, project?: string): Promise<string[]> {
    const projectFilter = project !== undefined ? { project: { name: project } } : {};
    const [tasks, fromLogs] = await Promise.all([
      this.prisma.task.findMany({ where: { workspaceId, ...projectFilter }, select: { name: true }, distinct: ["name"] }),
      this.prisma.log.findMany({
        where: { workspaceId, taskName: { not: null }, ...projectFilter },
        select: { taskName: true },
        distinct: ["taskName"],
      }),
    ]);
    const names = new Set([...tasks.map((t) => t.name), ...fromLogs.map((l) => l.taskName as string)]);
    return [...names].sort((a, b) => a.localeCompare(b));
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
