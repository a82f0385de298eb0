import { LIST_EXACT_COUNT, type ListLogsQuery, type ListLogsResponse } from "@tracira/shared";
import { PENDING_REVIEW_GROUPS } from "../../db/log-rollups";
import { isStatementCanceled } from "../../db/prisma-errors";
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
  /**
   * False when the filters are outside the rollups and at least LIST_EXACT_COUNT logs match (only that many
   * were counted), or when counting them took longer than LIST_COUNT_BUDGET_MS (see pageSummary).
   */
  exact: boolean;
  summary: ListLogsResponse["summary"];
}

/**
 * How long (by default; TRACIRA_LIST_COUNT_BUDGET_MS) the list may count matches of a filter the rollups
 * cannot answer. A substring common in a big workspace (q=cust-42 in 10M logs) takes the trigram index a
 * hundred milliseconds or more to count even to LIST_EXACT_COUNT (its posting lists of frequent trigrams are
 * read whole), while its first page is found in a few dozen by walking the time index: past this budget
 * the count is given up and the answer says so (pageSummary).
 */
export const LIST_COUNT_BUDGET_MS = 25;

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
 * the filtered logs, at most LIST_EXACT_COUNT of them (`exact` says whether that was all), within
 * the budget: undefined when that was not enough (the caller answers pageSummary then).
 */
export async function listSummary(
  sql: SqlClient,
  workspaceId: string,
  q: ListLogsQuery,
  filtered: { from: string; params: unknown[] },
  budgetMs = LIST_COUNT_BUDGET_MS,
): Promise<ListSummary | undefined> {
  if (withinRollups(q)) {
    const counted = rollupRows(workspaceId, q);
    const [row] = await sql.query<SummaryRow>(`SELECT ${FIGURES} FROM (${counted.sql}) c`, counted.params);
    return { ...figures(row!), exact: true };
  }
  try {
    const [row] = await sql.transaction(async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(budgetMs))}`);
      return tx.query<SummaryRow>(`SELECT ${FIGURES} FROM (${someLogs(filtered.from)}) c`, filtered.params);
    });
    const counted = figures(row!);
    return { ...counted, exact: counted.total < LIST_EXACT_COUNT };
  } catch (err) {
    if (isStatementCanceled(err)) return undefined;
    throw err;
  }
}

/**
 * The answer when the count ran out of its budget: what the pages so far show. `total` is the logs before
 * and on this page (a lower bound while a next page exists) and `summary` describes this page's logs.
 */
export function pageSummary(offset: number, rows: readonly PageRow[], more: boolean): ListSummary {
  const count = (status: string) => rows.filter((r) => r.status === status).length;
  const { summary } = figures({
    total: rows.length,
    pass: count("pass"),
    flagged: count("flagged"),
    error: count("error"),
    pending_reviews: rows.filter((r) => r.humanDecision === null && (r.status === "flagged" || r.status === "error")).length,
  });
  return { total: offset + rows.length, exact: !more, summary };
}

interface PageRow {
  status: string;
  humanDecision: string | null;
}

function figures(row: SummaryRow): Omit<ListSummary, "exact"> {
  const { total, pass, flagged, error, pending_reviews: pendingReviews } = row;
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
