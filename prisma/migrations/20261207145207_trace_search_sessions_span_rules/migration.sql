-- Rules may judge the spans of a trace (target, span kind/name); indexes for trace search by project, sessions and the generations list.

-- CreateEnum
CREATE TYPE "rule_target" AS ENUM ('output', 'spans');

-- DropIndex
DROP INDEX "spans_workspace_id_event_type_idx";

-- AlterTable
ALTER TABLE "rules" ADD COLUMN     "span_kind" TEXT,
ADD COLUMN     "span_name" TEXT,
ADD COLUMN     "target" "rule_target" NOT NULL DEFAULT 'output';

-- CreateIndex
CREATE INDEX "logs_workspace_id_project_id_started_at_id_idx" ON "logs"("workspace_id", "project_id", "started_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "logs_workspace_id_project_id_session_id_started_at_idx" ON "logs"("workspace_id", "project_id", "session_id", "started_at");

-- CreateIndex
CREATE INDEX "spans_workspace_id_event_type_started_at_trace_id_id_idx" ON "spans"("workspace_id", "event_type", "started_at", "trace_id", "id");
