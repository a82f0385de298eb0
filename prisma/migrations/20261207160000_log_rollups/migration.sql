-- Rollups of logs: how many logs each (workspace, project, task, UTC day of "timestamp", UTC month of
-- created_at, status, human decision) group holds, so the list's summary, the overview, the settings usage
-- and the task names never count logs. Task and decision are '' when the log has none.
--
-- Statement-level triggers on logs (below; Prisma cannot express them) append one signed row per changed
-- group to log_count_deltas in the same transaction as the change — ingest, evaluation, decisions, bulk
-- actions, deletes, project merges, cascades from a project or workspace delete, the retention purge — so
-- the figures are exact and concurrent writers never wait on a shared counter row. The worker folds the
-- deltas into log_counts every few seconds; reads add both (UNION ALL) in one statement, so they are exact
-- before and after a fold. No foreign keys: a workspace delete cascades to logs, whose trigger still
-- writes the (negative) deltas.

-- CreateTable
CREATE TABLE "log_counts" (
    "workspace_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "task_name" TEXT NOT NULL DEFAULT '',
    "day" DATE NOT NULL,
    "created_month" DATE NOT NULL,
    "status" "log_status" NOT NULL,
    "human_decision" TEXT NOT NULL DEFAULT '',
    "n" BIGINT NOT NULL,

    CONSTRAINT "log_counts_pkey" PRIMARY KEY ("workspace_id","project_id","task_name","day","created_month","status","human_decision")
);

-- CreateTable
CREATE TABLE "log_count_deltas" (
    "id" BIGSERIAL NOT NULL,
    "workspace_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "task_name" TEXT NOT NULL DEFAULT '',
    "day" DATE NOT NULL,
    "created_month" DATE NOT NULL,
    "status" "log_status" NOT NULL,
    "human_decision" TEXT NOT NULL DEFAULT '',
    "n" BIGINT NOT NULL,

    CONSTRAINT "log_count_deltas_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "log_count_deltas_workspace_id_idx" ON "log_count_deltas"("workspace_id");

-- One function per event: Postgres allows transition tables only on single-event triggers without a
-- column list, so the UPDATE trigger fires for every UPDATE of logs and writes only the groups whose count
-- changed (-1 per old row, +1 per new row, summed; unchanged dimensions cancel out).
CREATE FUNCTION "log_counts_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO log_count_deltas (workspace_id, project_id, task_name, day, created_month, status, human_decision, n)
  SELECT workspace_id, project_id, coalesce(task_name, ''), ("timestamp" AT TIME ZONE 'UTC')::date,
         date_trunc('month', created_at AT TIME ZONE 'UTC')::date, status, coalesce(human_decision::text, ''), count(*)
  FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
  RETURN NULL;
END $$;

CREATE FUNCTION "log_counts_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO log_count_deltas (workspace_id, project_id, task_name, day, created_month, status, human_decision, n)
  SELECT workspace_id, project_id, coalesce(task_name, ''), ("timestamp" AT TIME ZONE 'UTC')::date,
         date_trunc('month', created_at AT TIME ZONE 'UTC')::date, status, coalesce(human_decision::text, ''), -count(*)
  FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7;
  RETURN NULL;
END $$;

CREATE FUNCTION "log_counts_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO log_count_deltas (workspace_id, project_id, task_name, day, created_month, status, human_decision, n)
  SELECT workspace_id, project_id, coalesce(task_name, ''), ("timestamp" AT TIME ZONE 'UTC')::date,
         date_trunc('month', created_at AT TIME ZONE 'UTC')::date, status, coalesce(human_decision::text, ''), sum(n)
  FROM (SELECT workspace_id, project_id, task_name, "timestamp", created_at, status, human_decision, -1 AS n FROM old_rows
        UNION ALL
        SELECT workspace_id, project_id, task_name, "timestamp", created_at, status, human_decision, 1 FROM new_rows) changed
  GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(n) <> 0;
  RETURN NULL;
END $$;

-- CREATE TRIGGER locks logs against writes until this migration commits, so the backfill below sees
-- every committed log and no change slips between the two.
CREATE TRIGGER "log_counts_on_insert" AFTER INSERT ON "logs" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "log_counts_inserted"();
CREATE TRIGGER "log_counts_on_delete" AFTER DELETE ON "logs" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "log_counts_deleted"();
CREATE TRIGGER "log_counts_on_update" AFTER UPDATE ON "logs" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "log_counts_updated"();

-- Backfill
INSERT INTO log_counts (workspace_id, project_id, task_name, day, created_month, status, human_decision, n)
SELECT workspace_id, project_id, coalesce(task_name, ''), ("timestamp" AT TIME ZONE 'UTC')::date,
       date_trunc('month', created_at AT TIME ZONE 'UTC')::date, status, coalesce(human_decision::text, ''), count(*)
FROM logs GROUP BY 1, 2, 3, 4, 5, 6, 7;
