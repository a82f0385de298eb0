import type { SqlClient } from "../db/sql";
import type { Logger } from "../logger";

/** Removes stored attachment files after their logs are gone (AttachmentService.remove: logs failures, never throws). */
export interface FileRemover {
  remove(files: readonly { key: string }[]): Promise<void>;
}

export interface RetentionOptions {
  /** TRACIRA_RETENTION_DAYS: for workspaces without a `retentionDays` of their own; undefined: forever. */
  defaultDays: number | undefined;
  /** Logs deleted per statement. */
  batchSize: number;
}

/** What one purge removed from one workspace. */
export interface WorkspacePurge {
  workspaceId: string;
  /** The retention applied: the workspace's own, else the deployment's default. */
  days: number;
  logs: number;
  spans: number;
  evaluations: number;
  files: number;
  /** Delete statements run (the last one finds fewer than a batch, or nothing). */
  batches: number;
}

export interface PurgeReport {
  /** Workspaces with a retention, whether or not they had anything expired. */
  checked: number;
  /** Those with something removed (or a failure). */
  workspaces: WorkspacePurge[];
  logs: number;
  spans: number;
  evaluations: number;
  files: number;
  /** Workspaces whose purge failed part-way (what was committed stays deleted; the next run goes on). */
  failed: number;
}

/** Workspaces with an effective retention: their own, else the deployment's default ($1, null: none). */
const WORKSPACES_WITH_RETENTION = `
SELECT id::text AS id, coalesce(retention_days, $1::int) AS days
FROM workspaces
WHERE coalesce(retention_days, $1::int) IS NOT NULL
ORDER BY id`;

/**
 * One batch, one statement (so one short transaction): up to $3 of the workspace's logs older than $2
 * days, oldest first, skipping rows another transaction holds (a decision, a span append, another
 * purger), are deleted. Spans and evaluations go with them by their foreign keys (ON DELETE CASCADE);
 * deliveries outlive them (SET NULL). The counts are read in the same statement, whose snapshot still
 * sees the rows the cascade removes at its end; the attachment keys come from the deleted rows themselves.
 */
const DELETE_BATCH = `
WITH doomed AS (
  SELECT id FROM logs
  WHERE workspace_id = $1::uuid AND "timestamp" < now() - make_interval(days => $2::int)
  ORDER BY "timestamp"
  LIMIT $3::int
  FOR UPDATE SKIP LOCKED
), gone AS (
  DELETE FROM logs l USING doomed d WHERE l.id = d.id RETURNING l.attachments
)
SELECT
  (SELECT count(*) FROM gone)::int AS logs,
  (SELECT count(*) FROM spans WHERE trace_id IN (SELECT id FROM doomed))::int AS spans,
  (SELECT count(*) FROM evaluations WHERE trace_id IN (SELECT id FROM doomed))::int AS evaluations,
  (SELECT coalesce(jsonb_agg(a->>'key'), '[]'::jsonb)
   FROM gone g, jsonb_array_elements(CASE WHEN jsonb_typeof(g.attachments) = 'array' THEN g.attachments ELSE '[]'::jsonb END) a
   WHERE a->>'key' IS NOT NULL) AS keys`;

interface BatchRow {
  logs: number;
  spans: number;
  evaluations: number;
  keys: string[];
}

/**
 * Deletes each workspace's expired logs — `timestamp` (the log's own time, what `GET /api/logs`' from/to
 * filter on) older than its retention — with their spans, evaluations and attachment files, in batches
 * of `batchSize`, each its own statement: no lock is held between batches, and two purgers at once
 * (several worker processes) split the rows instead of waiting for each other. Files are removed after
 * their batch committed, so a failed delete leaves every file its log still lists.
 */
export class RetentionPurge {
  constructor(
    private readonly sql: SqlClient,
    private readonly files: FileRemover,
    private readonly logger: Logger,
    private readonly options: RetentionOptions,
  ) {}

  /** One pass over every workspace with a retention; stops between batches when `signal` aborts. Logs one line with the counts. */
  async purge(signal?: AbortSignal): Promise<PurgeReport> {
    const started = Date.now();
    const targets = await this.sql.query<{ id: string; days: number }>(WORKSPACES_WITH_RETENTION, [this.options.defaultDays ?? null]);
    const report: PurgeReport = { checked: targets.length, workspaces: [], logs: 0, spans: 0, evaluations: 0, files: 0, failed: 0 };
    for (const { id, days } of targets) {
      if (signal?.aborted) break;
      const done: WorkspacePurge = { workspaceId: id, days: Number(days), logs: 0, spans: 0, evaluations: 0, files: 0, batches: 0 };
      try {
        await this.purgeWorkspace(done, signal);
      } catch (err) {
        report.failed++;
        this.logger.error("retention: purging a workspace failed; the next run goes on from there", {
          workspaceId: id,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      if (done.logs > 0) report.workspaces.push(done);
      report.logs += done.logs;
      report.spans += done.spans;
      report.evaluations += done.evaluations;
      report.files += done.files;
    }
    if (targets.length === 0) {
      this.logger.debug("retention purge: no workspace has a retention");
    } else {
      this.logger.info("retention purge", {
        checked: report.checked,
        logs: report.logs,
        spans: report.spans,
        evaluations: report.evaluations,
        files: report.files,
        failed: report.failed,
        workspaces: report.workspaces,
        durationMs: Date.now() - started,
      });
    }
    return report;
  }

  private async purgeWorkspace(done: WorkspacePurge, signal: AbortSignal | undefined): Promise<void> {
    const { batchSize } = this.options;
    for (;;) {
      if (signal?.aborted) return;
      const [row] = await this.sql.query<BatchRow>(DELETE_BATCH, [done.workspaceId, done.days, batchSize]);
      done.batches++;
      if (!row || row.logs === 0) return;
      done.logs += row.logs;
      done.spans += row.spans;
      done.evaluations += row.evaluations;
      const keys = Array.isArray(row.keys) ? row.keys : [];
      done.files += keys.length;
      await this.files.remove(keys.map((key) => ({ key })));
      // A short batch: nothing more has expired (or the rest is held by another transaction; the next run takes it).
      if (row.logs < batchSize) return;
    }
  }
}
