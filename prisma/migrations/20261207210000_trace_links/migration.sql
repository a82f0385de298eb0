-- A log posted with a W3C traceparent (e.g. from inside an n8n workflow traced over OTLP) is linked to that
-- trace and the span that posted it; the linked trace reads its logs' verdicts through the partial index.
ALTER TABLE "logs" ADD COLUMN "linked_trace_id" TEXT;
ALTER TABLE "logs" ADD COLUMN "linked_span_id" TEXT;

CREATE INDEX "logs_linked_trace_idx" ON "logs" ("workspace_id", "linked_trace_id") WHERE "linked_trace_id" IS NOT NULL;
