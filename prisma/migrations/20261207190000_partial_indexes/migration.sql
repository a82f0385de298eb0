-- Indexes on columns most logs leave empty (session, subject, actor, and the trace ids agent, runner, thread,
-- run) hold only the rows that have a value: every filter on them is an equality (or `session_id IS NOT
-- NULL`), which implies the predicate, so the planner uses them as before, and a log without those ids
-- (most logs from no-code platforms) skips eight index insertions. Measured with bench:ingest (issue #17):
-- ingest is bound by one Postgres backend running the group-commit INSERT, most of whose time is index
-- maintenance.
--
-- Built CONCURRENTLY under new names before the old ones are dropped, so the reads keep an index throughout
-- (backend/src/db/migrate.ts runs this file statement by statement, outside a transaction). Not expressible
-- in schema.prisma (Prisma ignores partial indexes), so they live here only.

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_session_id_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_session_id_notnull_idx" ON "logs"("workspace_id", "session_id") WHERE "session_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_session_id_idx";

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_project_id_session_id_started_at_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_project_id_session_id_started_at_notnull_idx" ON "logs"("workspace_id", "project_id", "session_id", "started_at") WHERE "session_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_project_id_session_id_started_at_idx";

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_subject_id_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_subject_id_notnull_idx" ON "logs"("workspace_id", "subject_id") WHERE "subject_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_subject_id_idx";

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_actor_id_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_actor_id_notnull_idx" ON "logs"("workspace_id", "actor_id") WHERE "actor_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_actor_id_idx";

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_agent_id_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_agent_id_notnull_idx" ON "logs"("workspace_id", "agent_id") WHERE "agent_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_agent_id_idx";

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_runner_id_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_runner_id_notnull_idx" ON "logs"("workspace_id", "runner_id") WHERE "runner_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_runner_id_idx";

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_thread_id_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_thread_id_notnull_idx" ON "logs"("workspace_id", "thread_id") WHERE "thread_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_thread_id_idx";

DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_run_id_notnull_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_run_id_notnull_idx" ON "logs"("workspace_id", "run_id") WHERE "run_id" IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_run_id_idx";

-- The evaluation queue: only pending logs, by arrival. The claim's lease columns are in no index, so the
-- claim's UPDATE (lease until, owner, attempts) can be a heap-only update that writes no index entry
-- (it was a new entry in every index of logs, for each log); fillfactor 90 leaves room on each page for
-- that new version. Measured with bench:ingest (issue #17): the in-process worker's updates were most of
-- Postgres' work per ingested log.
DROP INDEX CONCURRENTLY IF EXISTS "logs_pending_created_at_idx";
CREATE INDEX CONCURRENTLY "logs_pending_created_at_idx" ON "logs"("created_at") WHERE "status" = 'pending';
DROP INDEX CONCURRENTLY IF EXISTS "logs_status_eval_lease_until_idx";
ALTER TABLE "logs" SET (fillfactor = 90);

-- q's trigram index: a finer sample of the searched text (1,000 histogram entries instead of 100), so the
-- planner's estimate of how many logs a `q` matches holds. With 100, a substring in 0.4 % of the logs was
-- estimated at 1 % or 0.01 % depending on the sample, and the page flipped between walking the time index
-- (33 ms at 10M logs) and a bitmap of the whole index (480 ms). ANALYZE of logs reads more rows for it
-- (16 s at 10M, in the background by autovacuum).
ALTER INDEX "logs_search_trgm_idx" ALTER COLUMN 1 SET STATISTICS 1000;
