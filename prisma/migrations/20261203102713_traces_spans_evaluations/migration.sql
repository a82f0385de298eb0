-- AlterTable
ALTER TABLE "logs" ADD COLUMN     "agent_id" TEXT,
ADD COLUMN     "ended_at" TIMESTAMPTZ(3),
ADD COLUMN     "error_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "llm_call_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "run_id" TEXT,
ADD COLUMN     "runner_id" TEXT,
ADD COLUMN     "span_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "started_at" TIMESTAMPTZ(3),
ADD COLUMN     "thread_id" TEXT,
ADD COLUMN     "tool_call_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "total_cost_usd" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "total_input_tokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "total_output_tokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "trace_name" TEXT,
ADD COLUMN     "trace_status" TEXT NOT NULL DEFAULT 'ok';

-- CreateTable
CREATE TABLE "spans" (
    "id" TEXT NOT NULL,
    "trace_id" TEXT NOT NULL,
    "workspace_id" UUID NOT NULL,
    "parent_span_id" TEXT,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "provider" TEXT,
    "model" TEXT,
    "input_tokens" INTEGER,
    "output_tokens" INTEGER,
    "cached_input_tokens" INTEGER,
    "cost_usd" DOUBLE PRECISION,
    "input" JSONB,
    "output" JSONB,
    "error" JSONB,
    "attributes" JSONB,
    "dotted_order" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "decision_kind" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "spans_pkey" PRIMARY KEY ("trace_id","id")
);

-- CreateTable
CREATE TABLE "evaluations" (
    "id" TEXT NOT NULL,
    "trace_id" TEXT NOT NULL,
    "workspace_id" UUID NOT NULL,
    "span_id" TEXT,
    "evaluator" TEXT NOT NULL,
    "evaluator_version" TEXT,
    "name" TEXT NOT NULL,
    "score" DOUBLE PRECISION,
    "label" TEXT,
    "reason" TEXT,
    "metadata" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluations_pkey" PRIMARY KEY ("trace_id","id")
);

-- CreateIndex
CREATE INDEX "spans_trace_id_dotted_order_idx" ON "spans"("trace_id", "dotted_order");

-- CreateIndex
CREATE INDEX "spans_workspace_id_kind_idx" ON "spans"("workspace_id", "kind");

-- CreateIndex
CREATE INDEX "spans_workspace_id_event_type_idx" ON "spans"("workspace_id", "event_type");

-- CreateIndex
CREATE INDEX "spans_workspace_id_model_idx" ON "spans"("workspace_id", "model");

-- CreateIndex
CREATE INDEX "evaluations_workspace_id_evaluator_idx" ON "evaluations"("workspace_id", "evaluator");

-- CreateIndex
CREATE INDEX "evaluations_workspace_id_label_idx" ON "evaluations"("workspace_id", "label");

-- CreateIndex
CREATE INDEX "evaluations_trace_id_span_id_idx" ON "evaluations"("trace_id", "span_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_started_at_id_idx" ON "logs"("workspace_id", "started_at" DESC, "id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_agent_id_idx" ON "logs"("workspace_id", "agent_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_runner_id_idx" ON "logs"("workspace_id", "runner_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_thread_id_idx" ON "logs"("workspace_id", "thread_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_run_id_idx" ON "logs"("workspace_id", "run_id");

-- CreateIndex
CREATE INDEX "logs_workspace_id_trace_status_idx" ON "logs"("workspace_id", "trace_status");

-- AddForeignKey
ALTER TABLE "spans" ADD CONSTRAINT "spans_trace_id_fkey" FOREIGN KEY ("trace_id") REFERENCES "logs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_trace_id_fkey" FOREIGN KEY ("trace_id") REFERENCES "logs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
