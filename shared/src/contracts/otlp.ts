import { z } from "zod";

/**
 * OTLP/HTTP trace export (opentelemetry-proto's ExportTraceServiceRequest in its JSON encoding: camelCase
 * fields, hex trace and span ids, 64-bit integers as strings or numbers). Protobuf requests are decoded
 * into this same shape, so one schema checks both.
 */

const int64 = z.union([z.string().regex(/^\d{1,20}$/, { error: "must be a whole number of nanoseconds" }), z.number().int().min(0)]);

export const OtlpAnyValue: z.ZodType<OtlpAnyValue> = z
  .object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: z.union([z.string(), z.number()]).optional(),
    doubleValue: z.union([z.number(), z.string()]).optional(),
    bytesValue: z.string().optional(),
    get arrayValue() {
      return z.object({ values: z.array(OtlpAnyValue).optional() }).optional();
    },
    get kvlistValue() {
      return z.object({ values: z.array(OtlpKeyValue).optional() }).optional();
    },
  })
  .meta({ id: "OtlpAnyValue" });
/** Written out: the inferred type of a recursive schema is not one TypeScript can compare with itself. */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

export const OtlpKeyValue: z.ZodType<OtlpKeyValue> = z
  .object({
    key: z.string(),
    get value() {
      return OtlpAnyValue.optional();
    },
  })
  .meta({ id: "OtlpKeyValue" });
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

const attributes = z.array(OtlpKeyValue).optional();

export const OtlpSpan = z
  .object({
    traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, { error: "traceId must be 32 hex characters (16 bytes)" }),
    spanId: z.string().regex(/^[0-9a-fA-F]{16}$/, { error: "spanId must be 16 hex characters (8 bytes)" }),
    parentSpanId: z
      .string()
      .regex(/^([0-9a-fA-F]{16})?$/, { error: "parentSpanId must be 16 hex characters (8 bytes) or empty" })
      .optional(),
    name: z.string().max(10_000).optional(),
    /** SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
    kind: z.union([z.number().int(), z.string()]).optional(),
    startTimeUnixNano: int64,
    endTimeUnixNano: int64.optional(),
    attributes,
    events: z.array(z.object({ timeUnixNano: int64.optional(), name: z.string().optional(), attributes })).optional(),
    /** Status code: 0 unset, 1 ok, 2 error. */
    status: z.object({ code: z.union([z.number().int(), z.string()]).optional(), message: z.string().optional() }).optional(),
  })
  .meta({ id: "OtlpSpan" });
export type OtlpSpan = z.infer<typeof OtlpSpan>;

/** The request with each span of the given schema: documented with OtlpSpan, parsed span by span (partial success). */
const exportRequest = <S extends z.ZodType>(span: S) =>
  z.object({
    resourceSpans: z
      .array(
        z.object({
          resource: z.object({ attributes }).optional(),
          scopeSpans: z
            .array(
              z.object({
                scope: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
                spans: z.array(span).optional(),
              }),
            )
            .optional(),
        }),
        { error: () => "resourceSpans must be an array (an OTLP ExportTraceServiceRequest)" },
      )
      .optional(),
  });

export const OtlpExportRequest = exportRequest(OtlpSpan).meta({ id: "OtlpExportTraceServiceRequest" });
/** As the server reads it: the envelope checked, each span checked on its own so one bad span is rejected alone. */
export const OtlpExportEnvelope = exportRequest(z.unknown());
export type OtlpExportEnvelope = z.infer<typeof OtlpExportEnvelope>;

export const OtlpExportResponse = z
  .object({
    partialSuccess: z.object({ rejectedSpans: z.string(), errorMessage: z.string() }).optional(),
  })
  .meta({ id: "OtlpExportTraceServiceResponse" });
export type OtlpExportResponse = z.infer<typeof OtlpExportResponse>;
