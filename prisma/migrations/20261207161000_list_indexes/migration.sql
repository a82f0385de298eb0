-- Indexes for GET /api/logs (and the dashboard's list, which runs the same statements): each sort's ORDER BY
-- (column, timestamp, id — ties broken in the same direction) is one index read forwards or backwards, so a
-- page, and a page after a cursor, reads about `limit` rows instead of sorting the workspace's logs.
--
-- Built CONCURRENTLY, so ingest goes on while they build on a big table: the migration runner runs this
-- file outside a transaction, statement by statement (backend/src/db/migrate.ts). A build that fails
-- leaves an INVALID index, so each index is dropped before it is built: after a failure, fix the cause,
-- mark the migration rolled back (`prisma migrate resolve --rolled-back 20261207161000_list_indexes`) and
-- start again.

-- Newest first (the default) and the cursor's (timestamp, id): replaces (workspace_id, timestamp DESC).
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_timestamp_id_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_timestamp_id_idx" ON "logs"("workspace_id", "timestamp" DESC, "id" DESC);
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_timestamp_idx";

-- status=… by time, and sortBy=status (status, timestamp, id in one direction): replaces
-- (workspace_id, status, timestamp DESC), whose mixed directions served neither sort of status.
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_status_timestamp_id_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_status_timestamp_id_idx" ON "logs"("workspace_id", "status", "timestamp", "id");
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_status_timestamp_idx";

-- project=… by time, and sortBy=projectName (one project after another, each by time).
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_project_id_timestamp_id_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_project_id_timestamp_id_idx" ON "logs"("workspace_id", "project_id", "timestamp", "id");

-- sortBy=model, latencyMs, costUsd: replace (workspace_id, model), (…, latency_ms), (…, cost_usd).
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_model_timestamp_id_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_model_timestamp_id_idx" ON "logs"("workspace_id", "model", "timestamp", "id");
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_model_idx";
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_latency_ms_timestamp_id_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_latency_ms_timestamp_id_idx" ON "logs"("workspace_id", "latency_ms", "timestamp", "id");
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_latency_ms_idx";
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_cost_usd_timestamp_id_idx";
CREATE INDEX CONCURRENTLY "logs_workspace_id_cost_usd_timestamp_id_idx" ON "logs"("workspace_id", "cost_usd", "timestamp", "id");
DROP INDEX CONCURRENTLY IF EXISTS "logs_workspace_id_cost_usd_idx";

-- Not expressible in schema.prisma (kept here only):
-- The review queue and pending=true: flagged or failed logs no human has decided on, by time. Partial: only
-- those logs are in it (a few percent), and a decision takes a log out.
DROP INDEX CONCURRENTLY IF EXISTS "logs_pending_review_idx";
CREATE INDEX CONCURRENTLY "logs_pending_review_idx" ON "logs"("workspace_id", "timestamp", "id")
  WHERE "human_decision" IS NULL AND "status" IN ('flagged', 'error');
-- q: trigrams of the searched text columns, as one text joined by U+001F, which a search text without it
-- cannot match across (backend/src/services/logs/list-sql.ts writes exactly this expression, so the planner
-- matches it); the project name is matched on projects.
DROP INDEX CONCURRENTLY IF EXISTS "logs_search_trgm_idx";
CREATE INDEX CONCURRENTLY "logs_search_trgm_idx" ON "logs" USING GIN ((
  coalesce("task_name", '') || E'\x1f' || coalesce("model", '') || E'\x1f' || coalesce("session_id", '') || E'\x1f' ||
  coalesce("subject_id", '') || E'\x1f' || coalesce("actor_id", '')
) gin_trgm_ops);
