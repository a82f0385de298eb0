-- A log is a trace root: every trace has a start, its first span's or (without spans) the log's timestamp.
UPDATE "logs" SET "started_at" = "timestamp" WHERE "started_at" IS NULL;
