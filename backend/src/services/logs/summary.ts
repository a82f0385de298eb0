import type { ListLogsQuery, ListLogsResponse } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";

/** Awaiting review: a flagged or failed check no human has decided on. */
export const PENDING_REVIEW_SQL = `l.human_decision IS NULL AND l.status IN ('flagged', 'error')`;

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

/**
 * The list's `total` and `summary` over everything its filters select (not only the page). `filtered` is
 * the list's `FROM logs l JOIN projects p … WHERE …` with its parameters.
 */
export async function listSummary(
  sql: SqlClient,
  _workspaceId: string,
  _q: ListLogsQuery,
  filtered: { from: string; params: unknown[] },
): Promise<ListSummary> {
  const [row] = await sql.query<SummaryRow>(
    `SELECT count(*)::int AS total, (count(*) FILTER (WHERE l.status = 'pass'))::int AS pass,
       (count(*) FILTER (WHERE l.status = 'flagged'))::int AS flagged, (count(*) FILTER (WHERE l.status = 'error'))::int AS error,
       (count(*) FILTER (WHERE ${PENDING_REVIEW_SQL}))::int AS pending_reviews
     ${filtered.from}`,
    filtered.params,
  );
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
