import { LIMITS, type OtlpExportResponse } from "@tracira/shared";
import { ApiError } from "../../../lib/api-error";
import type { TracePartWriter } from "../parts";
import { readEnvelope } from "./decode";
import { mapExport } from "./map";

/**
 * OTLP/HTTP trace export: each trace of an export becomes (or adds to) a log, so the workspace's rules
 * evaluate it and every hook, callback and review works on it. Spans and traces that cannot be stored are
 * rejected alone and counted in OTLP's partial-success answer.
 */
export class OtlpIngestService {
  constructor(
    private readonly parts: TracePartWriter,
    private readonly defaultProject = "default",
  ) {}

  /** @param headerProject the exporter's `x-tracira-project` header: the project of traces that name none themselves. */
  async export(workspaceId: string, body: unknown, headerProject?: string): Promise<OtlpExportResponse> {
    const mapped = mapExport(readEnvelope(body), this.defaultProject, headerProject);
    let rejected = mapped.rejectedSpans;
    const errors = [...mapped.errors];
    for (const trace of mapped.traces) {
      if (trace.spans.length > LIMITS.spansPerRequest) {
        rejected += trace.spans.length;
        errors.push(`trace ${trace.traceId}: more than ${LIMITS.spansPerRequest} spans in one export; send smaller batches`);
        continue;
      }
      try {
        await this.parts.store(workspaceId, trace);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
        rejected += trace.spans.length;
        errors.push(`trace ${trace.traceId}: ${err.message}`);
      }
    }
    return rejected ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: errors.slice(0, 5).join("; ") } } : {};
  }
}
