import {
  LangSmithAccepted,
  LangSmithBatch,
  LangSmithInfo,
  LangSmithRun,
  LangSmithRunParams,
  LangSmithRunUpdate,
  LIMITS,
} from "@tracira/shared";
import { z } from "zod";
import { defineRoute } from "../http/route";
import { ApiError } from "../lib/api-error";
import { labelBatch } from "../services/traces/langsmith/map";

/**
 * The LangSmith run API under `/api/langsmith`, so LangChain and the `langsmith` client trace into Tracira
 * with `LANGCHAIN_ENDPOINT=<tracira>/api/langsmith` and the workspace token as `LANGCHAIN_API_KEY` (sent as
 * `x-api-key`). Runs are accepted with a 202, as LangSmith does.
 */

const MULTIPART = "multipart/form-data";
const BASE = "/api/langsmith";
const TAG = "LangSmith";

const ingestRoute = { tag: TAG, auth: "token", rateLimit: "ingest", status: 202, response: LangSmithAccepted } as const;

export const langsmithRoutes = [
  defineRoute({
    method: "get",
    path: `${BASE}/info`,
    tag: TAG,
    summary: "What the langsmith client reads first: multipart uploads with gzip, and the batch limits",
    auth: "public",
    response: LangSmithInfo,
    handler: ({ deps }) => ({
      batch_ingest_config: {
        use_multipart_endpoint: true,
        size_limit: LIMITS.spansPerRequest,
        // The client counts the runs' JSON, not the multipart framing around it: leave it room.
        size_limit_bytes: Math.floor(deps.config.maxBodyBytes * 0.9),
      },
      instance_flags: { gzip_body_enabled: true, zstd_compression_enabled: false },
    }),
  }),
  defineRoute({
    ...ingestRoute,
    method: "post",
    path: `${BASE}/runs`,
    summary: "Create a run (a span of the trace its trace_id names)",
    body: LangSmithRun,
    handler: ({ auth, body, deps }) => deps.services.langsmith.ingest(auth.workspaceId, [{ label: "body", run: body }]),
  }),
  defineRoute({
    ...ingestRoute,
    method: "patch",
    path: `${BASE}/runs/:id`,
    summary: "Update a run: its end, outputs, error (the root run's end starts the trace's evaluation)",
    params: LangSmithRunParams,
    body: LangSmithRunUpdate,
    handler: ({ auth, params, body, deps }) =>
      deps.services.langsmith.ingest(auth.workspaceId, [{ label: "body", run: { ...body, id: params.id } }]),
  }),
  defineRoute({
    ...ingestRoute,
    method: "post",
    path: `${BASE}/runs/batch`,
    summary: "Create and update runs in one request: { post: [...], patch: [...] }",
    body: LangSmithBatch,
    handler: ({ auth, body, deps }) => deps.services.langsmith.ingest(auth.workspaceId, labelBatch(body)),
  }),
  defineRoute({
    ...ingestRoute,
    method: "post",
    path: `${BASE}/runs/multipart`,
    summary: "Create and update runs as multipart/form-data parts (post.<id>, post.<id>.inputs, patch.<id>…), gzip welcome",
    binary: { contentTypes: [MULTIPART], maxBytes: (config) => config.maxBodyBytes, schema: z.object({}) },
    response: LangSmithAccepted,
    handler: ({ auth, req, deps }) => {
      if (!Buffer.isBuffer(req.body)) {
        throw new ApiError("unsupported_media_type", `Send the runs as ${MULTIPART} (or as JSON to ${BASE}/runs/batch).`);
      }
      return deps.services.langsmith.ingestMultipart(auth.workspaceId, req.body, req.header("content-type")!);
    },
  }),
];
