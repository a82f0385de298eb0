import { LIST_EXACT_COUNT, type ListLogsQuery, type ListLogsResponse } from "@tracira/shared";
import { PENDING_REVIEW_GROUPS } from "../../db/log-rollups";
import type { SqlClient } from "../../db/sql";
import { rollupRows, withinRollups } from "./rollup-summary";

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
  /** False when the filters are outside the rollups and at least LIST_EXACT_COUNT logs match: only that many were counted. */
  exact: boolean;
  summary: ListLogsResponse["summary"];
}

/** The figures, over rows with a status, a decision ('' for none) and a count `n`. */
const FIGURES = `coalesce(sum(n), 0)::int AS total, coalesce(sum(n) FILTER (WHERE status = 'pass'), 0)::int AS pass,
  coalesce(sum(n) FILTER (WHERE status = 'flagged'), 0)::int AS flagged, coalesce(sum(n) FILTER (WHERE status = 'error'), 0)::int AS error,
  coalesce(sum(n) FILTER (WHERE ${PENDING_REVIEW_GROUPS}), 0)::int AS pending_reviews`;

/**
 * The same, of at most LIST_EXACT_COUNT of them: a filter the rollups cannot answer (a substring, a tag) may
 * match most of a big workspace, and counting all of it on every page is what the list must not do.
 */
const someLogs = (from: string) =>
  `SELECT status, human_decision, count(*) AS n FROM (SELECT l.status, coalesce(l.human_decision::text, '') AS human_decision ${from}
   LIMIT ${LIST_EXACT_COUNT}) s GROUP BY 1, 2`;

/**
 * The list's `total` and `summary` over everything its filters select (not only the page). `filtered` is
 * the list's `FROM logs l JOIN projects p … WHERE …` with its parameters.
 *
 * When every filter is a rollup dimension (project, task, status, pending, from/to), the figures come from
 * the rollups, the days that from/to cut partly counted from `logs` (rollup-summary.ts) — all in one
 * statement, so exact. Other filters (q, tags, ids, typed filters) count
 * the filtered logs, at most LIST_EXACT_COUNT of them (`exact` says whether that was all).
 */
export async function listSummary(
  sql: SqlClient,
  workspaceId: string,
  q: ListLogsQuery,
  filtered: { from: string; params: unknown[] },
): Promise<ListSummary> {
  const rollups = withinRollups(q);
  const counted = rollups ? rollupRows(workspaceId, q) : { sql: someLogs(filtered.from), params: filtered.params };
  const [row] = await sql.query<SummaryRow>(`SELECT ${FIGURES} FROM (${counted.sql}) c`, counted.params);
  const { total, pass, flagged, error, pending_reviews: pendingReviews } = row!;
  const finished = pass + flagged + error;
  return {
    total,
    exact: rollups || total < LIST_EXACT_COUNT,
    summary: {
      totalRuns: total,
      failuresDetected: flagged + error,
      pendingReviews,
      successRate: finished === 0 ? 0 : Math.round((1000 * pass) / finished) / 10,
    },
  };
}
