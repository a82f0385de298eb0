import { z } from "zod";
import { LIMITS } from "../limits";
import { isoDateTime, optionalText, unmapped } from "./fields";

/**
 * The LangSmith run API as the `langsmith` client sends it (`LANGCHAIN_ENDPOINT=<tracira>/api/langsmith`):
 * a run is created (`post`) and later completed (`patch`), alone, in JSON batches or in multipart uploads.
 * Only what Tracira maps is read; other fields (events, serialized, reference_example_id…) are ignored.
 */

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const runId = (field: string) =>
  z
    .string({ error: () => `${field} must be a run id (a UUID)` })
    .regex(UUID, { error: `${field} must be a run id (a UUID)` })
    .transform((id) => id.toLowerCase());

/** ISO 8601 text (the client's start_time) or epoch milliseconds (its end_time). */
const timestamp = (field: string) =>
  z.preprocess(
    (value) => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? new Date(value).toISOString() : value),
    isoDateTime(field),
  );

const runFields = {
  trace_id: unmapped(runId("trace_id")),
  parent_run_id: unmapped(runId("parent_run_id")),
  dotted_order: optionalText("dotted_order", 10_000),
  name: unmapped(z.string({ error: () => "name must be text" })),
  run_type: unmapped(z.string({ error: () => "run_type must be text, e.g. chain" }).max(100)),
  start_time: unmapped(timestamp("start_time")),
  end_time: unmapped(timestamp("end_time")),
  inputs: z.unknown().optional(),
  outputs: z.unknown().optional(),
  error: z.unknown().optional(),
  extra: unmapped(z.record(z.string(), z.unknown(), { error: () => "extra must be an object" })),
  session_name: optionalText("session_name", LIMITS.projectNameChars),
  tags: unmapped(z.array(z.string(), { error: () => "tags must be a list of texts" })),
};

/** One run, created or updated: `id` is the span id, `trace_id` the root run's id (the log's id). */
export const LangSmithRun = z.object({ id: runId("id"), ...runFields }).meta({ id: "LangSmithRun" });
export type LangSmithRun = z.output<typeof LangSmithRun>;

/** `PATCH /runs/:id`: the id is the path's. */
export const LangSmithRunUpdate = z.object(runFields).meta({ id: "LangSmithRunUpdate" });
export type LangSmithRunUpdate = z.output<typeof LangSmithRunUpdate>;

export const LangSmithRunParams = z.object({ id: runId("id") });

/** `POST /runs/batch`, and the runs of a multipart upload once read. */
export const LangSmithBatch = z
  .object({
    post: unmapped(z.array(LangSmithRun, { error: () => "post must be a list of runs" })),
    patch: unmapped(z.array(LangSmithRun, { error: () => "patch must be a list of runs" })),
  })
  .refine((batch) => (batch.post?.length ?? 0) + (batch.patch?.length ?? 0) <= LIMITS.spansPerRequest, {
    error: `at most ${LIMITS.spansPerRequest} runs (post and patch together) per request`,
    path: ["body"],
  })
  .meta({ id: "LangSmithBatch" });
export type LangSmithBatch = z.output<typeof LangSmithBatch>;

export const LangSmithAccepted = z
  .object({ ok: z.literal(true), runs: z.number().int(), traces: z.number().int() })
  .meta({ id: "LangSmithAccepted" });
export type LangSmithAccepted = z.output<typeof LangSmithAccepted>;

/** `GET /info`: what the client reads to choose how it uploads (multipart, gzip, batch sizes). */
export const LangSmithInfo = z
  .object({
    batch_ingest_config: z.object({
      use_multipart_endpoint: z.boolean(),
      size_limit: z.number().int(),
      size_limit_bytes: z.number().int(),
    }),
    instance_flags: z.object({ gzip_body_enabled: z.boolean(), zstd_compression_enabled: z.boolean() }),
  })
  .meta({ id: "LangSmithInfo" });
export type LangSmithInfo = z.output<typeof LangSmithInfo>;
