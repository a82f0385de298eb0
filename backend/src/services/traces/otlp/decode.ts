import path from "node:path";
import { OtlpExportEnvelope, type OtlpExportResponse } from "@tracira/shared";
import { Root, type Type } from "protobufjs";
import { ApiError } from "../../../lib/api-error";

/** The opentelemetry-proto definitions (backend/proto), the same path from src/ and dist/. */
const PROTO_DIR = path.resolve(__dirname, "../../../../proto");

let types: { request: Type; response: Type } | undefined;

/** Loaded once, on the first protobuf export. */
function protoTypes(): { request: Type; response: Type } {
  if (types) return types;
  const root = new Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
  types = {
    request: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
    response: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse"),
  };
  return types;
}

const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);

/** Protobuf carries ids as bytes (base64 once decoded to an object); OTLP/JSON and Tracira use hex. */
function idsToHex(value: unknown, key?: string): unknown {
  if (typeof value === "string" && key && ID_FIELDS.has(key)) return Buffer.from(value, "base64").toString("hex");
  if (Array.isArray(value)) return value.map((item) => idsToHex(item));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === "value" ? v : idsToHex(v, k)]));
  }
  return value;
}

/** An `application/x-protobuf` body as the JSON encoding's object. */
export function decodeProtobuf(body: Buffer): unknown {
  const { request } = protoTypes();
  let message;
  try {
    message = request.decode(body);
  } catch (err) {
    throw ApiError.invalid(`The body is not an OTLP ExportTraceServiceRequest in protobuf: ${(err as Error).message}.`, {
      body: "send an OTLP/HTTP protobuf export (Content-Type: application/x-protobuf) or its JSON encoding (application/json)",
    });
  }
  return idsToHex(request.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false, arrays: true }));
}

/** The envelope of an export, protobuf-decoded or JSON; spans are checked one by one afterwards. */
export function readEnvelope(body: unknown): OtlpExportEnvelope {
  const parsed = OtlpExportEnvelope.safeParse(body);
  if (!parsed.success) throw ApiError.fromZod(parsed.error, "body");
  return parsed.data;
}

/** The answer in the request's own encoding. */
export function encodeResponse(response: OtlpExportResponse): Buffer {
  const { response: type } = protoTypes();
  return Buffer.from(type.encode(type.fromObject(response)).finish());
}
