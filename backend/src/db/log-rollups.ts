import type { SqlClient } from "./sql";

/**
 * The log rollups (migration 20261207160000_log_rollups): `log_counts` holds how many logs each group has
 * (workspace, project, task, UTC day of `timestamp`, UTC month of created_at, status, human decision; task
 * and decision '' when none); the triggers on logs append signed changes to `log_count_deltas` in the
 * writer's own transaction; `foldLogCounts` moves them into `log_counts`. A read adds both in one statement,
 * so it is exact whether or not the deltas were folded yet.
 */

/** The group columns, in primary-key order. */
const GROUP = "workspace_id, project_id, task_name, day, created_month, status, human_decision";

/** A log's group, from a row of `logs` (or a transition table). */
const GROUP_OF_LOG = `workspace_id, project_id, coalesce(task_name, '') AS task_name, ("timestamp" AT TIME ZONE 'UTC')::date AS day,
  date_trunc('month', created_at AT TIME ZONE 'UTC')::date AS created_month, status, coalesce(human_decision::text, '') AS human_decision`;

/**
 * One workspace's rollup rows (folded and pending), as a FROM item with the columns project_id, task_name,
 * day, created_month, status, human_decision, n. `workspace` is the placeholder of its id (`$1`).
 */
export function logCountsOf(workspace: string): string {
  const columns = "project_id, task_name, day, created_month, status, human_decision, n";
  return `(SELECT ${columns} FROM log_counts WHERE workspace_id = ${workspace}::uuid
    UNION ALL SELECT ${columns} FROM log_count_deltas WHERE workspace_id = ${workspace}::uuid)`;
}

/** Awaiting review, over rollup rows: a flagged or failed check no human has decided on. */
export const PENDING_REVIEW_GROUPS = `human_decision = '' AND status IN ('flagged', 'error')`;

/** Folders and the rebuild take this transaction lock, so one of them at a time moves deltas. */
const FOLD_LOCK = 7_370_117;

/**
 * Moves up to `batch` of the oldest deltas into `log_counts` in one statement (summed per group first),
 * then drops groups that reached zero. Returns how many deltas it moved: 0 when another instance is
 * folding right now (it skips instead of waiting) or nothing is pending.
 */
export async function foldLogCounts(sql: SqlClient, batch: number): Promise<number> {
  return sql.transaction(async (tx) => {
    const [lock] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}) AS locked`);
    if (!lock?.locked) return 0;
    const [row] = await tx.query<{ moved: number; emptied: unknown[] }>(
      `WITH moved AS (
         DELETE FROM log_count_deltas WHERE id IN (SELECT id FROM log_count_deltas ORDER BY id LIMIT $1::int)
         RETURNING ${GROUP}, n
       ), summed AS (
         SELECT ${GROUP}, sum(n)::bigint AS n FROM moved GROUP BY ${GROUP} HAVING sum(n) <> 0
       ), upserted AS (
         INSERT INTO log_counts (${GROUP}, n) SELECT ${GROUP}, n FROM summed ORDER BY ${GROUP}
         ON CONFLICT (${GROUP}) DO UPDATE SET n = log_counts.n + EXCLUDED.n
         RETURNING ${GROUP}, n
       )
       SELECT (SELECT count(*) FROM moved)::int AS moved,
              coalesce((SELECT jsonb_agg(to_jsonb(u) - 'n') FROM upserted u WHERE n = 0), '[]'::jsonb) AS emptied`,
      [batch],
    );
    if (row && row.emptied.length > 0) {
      await tx.query(
        `DELETE FROM log_counts c
         USING jsonb_to_recordset($1::jsonb) AS e(workspace_id uuid, project_id uuid, task_name text, day date,
           created_month date, status log_status, human_decision text)
         WHERE (c.workspace_id, c.project_id, c.task_name, c.day, c.created_month, c.status, c.human_decision)
             = (e.workspace_id, e.project_id, e.task_name, e.day, e.created_month, e.status, e.human_decision)
           AND c.n = 0`,
        [JSON.stringify(row.emptied)],
      );
    }
    return row?.moved ?? 0;
  });
}

/** One group whose rollup differed from a fresh count of `logs`. */
export interface RollupChange {
  workspaceId: string;
  projectId: string;
  taskName: string;
  day: string;
  createdMonth: string;
  status: string;
  humanDecision: string;
  was: number;
  now: number;
}

/**
 * Recomputes the rollups from `logs` in one transaction and returns the groups that were wrong. Writers
 * to logs wait for it (SHARE lock: their triggers would otherwise add deltas the fresh count already
 * holds, or miss), folders too (the fold lock); readers never wait. Afterwards no delta is pending.
 */
export async function rebuildLogCounts(sql: SqlClient): Promise<RollupChange[]> {
  return sql.transaction(async (tx) => {
    await tx.exec(
      `SET LOCAL statement_timeout = 0; SELECT pg_advisory_xact_lock(${FOLD_LOCK}); LOCK TABLE logs IN SHARE MODE;
       CREATE TEMP TABLE fresh_log_counts ON COMMIT DROP AS
         SELECT ${GROUP_OF_LOG}, count(*)::bigint AS n FROM logs GROUP BY 1, 2, 3, 4, 5, 6, 7`,
    );
    const changes = await tx.query<RollupChange>(
      `WITH current AS (
         SELECT ${GROUP}, sum(n)::bigint AS n
         FROM (SELECT ${GROUP}, n FROM log_counts UNION ALL SELECT ${GROUP}, n FROM log_count_deltas) r
         GROUP BY ${GROUP}
       )
       SELECT workspace_id::text AS "workspaceId", project_id::text AS "projectId", task_name AS "taskName",
              to_char(day, 'YYYY-MM-DD') AS day, to_char(created_month, 'YYYY-MM') AS "createdMonth",
              status::text AS status, human_decision AS "humanDecision",
              coalesce(c.n, 0)::float8 AS was, coalesce(f.n, 0)::float8 AS now
       FROM fresh_log_counts f FULL JOIN current c USING (${GROUP})
       WHERE coalesce(c.n, 0) <> coalesce(f.n, 0)
       ORDER BY ${GROUP}`,
    );
    await tx.exec(`DELETE FROM log_count_deltas; DELETE FROM log_counts;
      INSERT INTO log_counts (${GROUP}, n) SELECT ${GROUP}, n FROM fresh_log_counts`);
    return changes;
  });
}
