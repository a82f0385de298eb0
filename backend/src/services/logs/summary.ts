import type { ListLogsQuery, ListLogsResponse } from "@tracira/shared";
import { binder } from "../../db/bind";
import { logCountsOf, PENDING_REVIEW_GROUPS } from "../../db/log-rollups";
import type { SqlClient } from "../../db/sql";

/** Awaiting review: a flagged or failed check no human has decided on. */
export const PENDING_REVIEW_SQL = `l.human_decision IS NULL AND l.status IN ('flagged', 'error')`;

const DAY_MS = 86_400_000;

interface SummaryRow {
  total: number;
  pass: number;
  flagged: number;
  error: number;
  pending_reviews: number;
}

export interface ListSummary {
  total: number;
  summary: ListLogsResponse["summary"];
}

/** The figures, over rows with a status, a decision ('' for none) and a count `n`. */
const FIGURES = `coalesce(sum(n), 0)::int AS total, coalesce(sum(n) FILTER (WHERE status = 'pass'), 0)::int AS pass,
  coalesce(sum(n) FILTER (WHERE status = 'flagged'), 0)::int AS flagged, coalesce(sum(n) FILTER (WHERE status = 'error'), 0)::int AS error,
  coalesce(sum(n) FILTER (WHERE ${PENDING_REVIEW_GROUPS}), 0)::int AS pending_reviews`;

/** The filtered logs themselves, grouped as rollup rows. */
const countedLogs = (from: string) =>
  `SELECT l.status, coalesce(l.human_decision::text, '') AS human_decision, count(*) AS n ${from} GROUP BY 1, 2`;

/**
 * The list's `total` and `summary` over everything its filters select (not only the page). `filtered` is
 * the list's `FROM logs l JOIN projects p … WHERE …` with its parameters.
 *
 * When every filter is a rollup dimension (project, task, status, pending, from/to), the figures come from
 * the rollups: whole UTC days between from and to from `log_counts`, the partial days at either edge
 * counted from `logs` — all in one statement, so exact. Other filters (q, tags, ids, typed filters) count
 * the filtered logs.
 */
export async function listSummary(
  sql: SqlClient,
  workspaceId: string,
  q: ListLogsQuery,
  filtered: { from: string; params: unknown[] },
): Promise<ListSummary> {
  const counted = withinRollups(q) ? fromRollups(workspaceId, q, filtered) : { sql: countedLogs(filtered.from), params: filtered.params };
  const [row] = await sql.query<SummaryRow>(`SELECT ${FIGURES} FROM (${counted.sql}) c`, counted.params);
  const { total, pass, flagged, error, pending_reviews: pendingReviews } = row!;
  const finished = pass + flagged + error;
  return {
    total,
    summary: {
      totalRuns: total,
      failuresDetected: flagged + error,
      pendingReviews,
      successRate: finished === 0 ? 0 : Math.round((1000 * pass) / finished) / 10,
    },
  };
}

/** Whether the rollups hold the answer: no filter outside their dimensions (logs never have an empty task). */
function withinRollups(q: ListLogsQuery): boolean {
  return (
    q.sessionId === undefined &&
    q.subjectId === undefined &&
    q.actorId === undefined &&
    !q.q?.trim() &&
    !q.tags?.length &&
    !q.filters?.length &&
    q.task !== ""
  );
}

/** Rollup rows for whole days plus the filtered logs of the partial days at the edges of from/to. */
function fromRollups(workspaceId: string, q: ListLogsQuery, filtered: { from: string; params: unknown[] }) {
  // Whole days: [firstDay, endDay). A day is whole when from <= its start and its last millisecond <= to.
  const firstDay = q.from ? Math.ceil(q.from.getTime() / DAY_MS) * DAY_MS : undefined;
  const endDay = q.to ? Math.floor((q.to.getTime() + 1) / DAY_MS) * DAY_MS : undefined;
  if (firstDay !== undefined && endDay !== undefined && firstDay >= endDay) {
    return { sql: countedLogs(filtered.from), params: filtered.params };
  }
  const headEdge = firstDay !== undefined && q.from!.getTime() < firstDay;
  const tailEdge = endDay !== undefined && endDay <= q.to!.getTime();
  // The edges reuse the list's statement and its parameters ($1…); the rollup part binds after them.
  const params = headEdge || tailEdge ? [...filtered.params] : [];
  const bind = binder(params);

  const workspace = bind(workspaceId);
  const where = [];
  if (q.project !== undefined) {
    where.push(`project_id IN (SELECT id FROM projects WHERE workspace_id = ${workspace}::uuid AND name = ${bind(q.project)})`);
  }
  if (q.task !== undefined) where.push(`task_name = ${bind(q.task)}`);
  if (q.status) where.push(`status = ${bind(q.status)}::log_status`);
  if (q.pending) where.push(PENDING_REVIEW_GROUPS);
  const day = (ms: number) => `${bind(new Date(ms).toISOString().slice(0, 10))}::date`;
  if (firstDay !== undefined) where.push(`day >= ${day(firstDay)}`);
  if (endDay !== undefined) where.push(`day < ${day(endDay)}`);
  const parts = [`SELECT status, human_decision, n FROM ${logCountsOf(workspace)} r${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`];
  if (headEdge) parts.push(countedLogs(`${filtered.from} AND l.timestamp < ${bind(new Date(firstDay).toISOString())}::timestamptz`));
  if (tailEdge) parts.push(countedLogs(`${filtered.from} AND l.timestamp >= ${bind(new Date(endDay).toISOString())}::timestamptz`));
  return { sql: parts.join(" UNION ALL "), params };
}
