import type { Overview } from "@tracira/shared";
import { logCountsOf, PENDING_REVIEW_GROUPS } from "../db/log-rollups";
import type { SqlClient } from "../db/sql";

const DAY_MS = 86_400_000;

/** Runs per UTC day of their timestamp since $2, from the rollups. */
const RUNS_PER_DAY = `
SELECT to_char(day, 'YYYY-MM-DD') AS day,
       sum(n)::int AS runs,
       coalesce(sum(n) FILTER (WHERE status = 'pass'), 0)::int AS passed,
       coalesce(sum(n) FILTER (WHERE status = 'flagged'), 0)::int AS flagged,
       coalesce(sum(n) FILTER (WHERE status = 'error'), 0)::int AS error
FROM ${logCountsOf("$1")} r WHERE day >= $2::date
GROUP BY day`;

const PENDING_AND_COST = `
SELECT (SELECT coalesce(sum(n), 0)::int FROM ${logCountsOf("$1")} r WHERE ${PENDING_REVIEW_GROUPS}) AS pending,
       (SELECT estimated_incident_cost_usd FROM workspaces WHERE id = $1::uuid) AS cost`;

interface DayRow {
  day: string;
  runs: number;
  passed: number;
  flagged: number;
  error: number;
}

/** The overview's numbers: runs per UTC day, failure rate, pending reviews, incident cost avoided. */
export class AnalyticsService {
  constructor(private readonly sql: SqlClient) {}

  async overview(workspaceId: string, days: number, now = new Date()): Promise<Overview> {
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const since = new Date(today - (days - 1) * DAY_MS);
    const [rows, [extra]] = await Promise.all([
      this.sql.query<DayRow>(RUNS_PER_DAY, [workspaceId, since.toISOString().slice(0, 10)]),
      this.sql.query<{ pending: number; cost: number | null }>(PENDING_AND_COST, [workspaceId]),
    ]);
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const series = Array.from({ length: days }, (_, i) => {
      const date = new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10);
      const row = byDay.get(date);
      return { date, runs: row?.runs ?? 0, passed: row?.passed ?? 0, flagged: row?.flagged ?? 0, error: row?.error ?? 0 };
    });
    const sum = (key: "runs" | "passed" | "flagged" | "error") => series.reduce((n, d) => n + d[key], 0);
    const evaluated = sum("passed") + sum("flagged") + sum("error");
    const flaggedCount = sum("flagged");
    const cost = extra?.cost ?? null;
    return {
      days: series,
      totalRuns: sum("runs"),
      failureRate: evaluated ? (sum("flagged") + sum("error")) / evaluated : 0,
      pendingReviews: extra?.pending ?? 0,
      flaggedCount,
      estimatedIncidentCostUsd: cost,
      incidentCostAvoidedUsd: cost === null ? null : Math.round(flaggedCount * cost * 100) / 100,
    };
  }
}
