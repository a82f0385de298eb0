import { OtlpExportRequest, OtlpExportResponse } from "@tracira/shared";
import { defineRoute } from "../http/route";
import { decodeProtobuf, encodeResponse } from "../services/traces/otlp/decode";

const PROTOBUF = "application/x-protobuf";

/**
 * OTLP/HTTP trace export, so `OTEL_EXPORTER_OTLP_ENDPOINT` can be the server's URL (`/v1/traces`) or its
 * API (`/api/otel/v1/traces`): protobuf or JSON, gzip welcome, the workspace token as `Authorization`.
 * The answer is OTLP's (partial success), in the request's encoding.
 */
const exportTraces = (path: string) =>
  defineRoute({
    method: "post",
    path,
    tag: "Traces",
    summary: "OTLP/HTTP trace export (protobuf or JSON, gzip): each trace becomes a log that the workspace's rules evaluate",
    auth: "token",
    rateLimit: "ingest",
    binary: { contentTypes: [PROTOBUF], maxBytes: (config) => config.otlp.maxBodyBytes, schema: OtlpExportRequest },
    response: OtlpExportResponse,
    handler: async ({ auth, req, res, deps }) => {
      const protobuf = Buffer.isBuffer(req.body);
      const answer = await deps.services.otlp.export(
        auth.workspaceId,
        protobuf ? decodeProtobuf(req.body as Buffer) : req.body,
        req.header("x-tracira-project"),
      );
      if (!protobuf) return answer;
      res.status(200).type(PROTOBUF).send(encodeResponse(answer));
      return undefined;
    },
  });

export const otlpRoutes = [exportTraces("/v1/traces"), exportTraces("/api/otel/v1/traces")];
