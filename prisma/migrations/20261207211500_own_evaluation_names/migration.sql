-- The dashboard's filter builder offers `evaluations.<name>` with the names of the workspace's own evaluations
-- (POST /api/logs/:id/evaluations). The distinct names are read by skipping through this index, one lookup per
-- name. Only callers' evaluations are in it: a log's rule outcomes and human decisions (evaluator `rule.*`,
-- `llm_judge.*`, `human`), written with every evaluation, add no index entry. The predicate is the text of
-- OWN_EVALUATION in backend/src/services/traces/evaluations.ts, which the reads repeat so the planner can use it.
--
-- Built CONCURRENTLY (backend/src/db/migrate.ts runs this file statement by statement, outside a
-- transaction). Not expressible in schema.prisma (Prisma ignores partial indexes), so it lives here only.

DROP INDEX CONCURRENTLY IF EXISTS "evaluations_workspace_id_name_own_idx";
CREATE INDEX CONCURRENTLY "evaluations_workspace_id_name_own_idx" ON "evaluations"("workspace_id", "name") WHERE "evaluator" !~ '^(rule|llm_judge|human)(\.|$)';
