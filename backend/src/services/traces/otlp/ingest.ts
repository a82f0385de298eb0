import { LIMITS, type OtlpExportResponse } from "@tracira/shared";
import type { SqlClient } from "../../../db/sql";
import { AWAITING_ROOT } from "../../../evaluation/store";
import { ApiError } from "../../../lib/api-error";
import { toLogInsert } from "../../logs/batch-insert";
import type { LogIngestService } from "../../logs/ingest";
import { prepareSpans } from "../spans";
import { readEnvelope } from "./decode";
import { mapExport, type OtlpTrace } from "./map";

/** A span payload as the log's text: a JSON string as its text, anything else as its JSON. */
const asText = (column: string) => `CASE WHEN jsonb_typeof(${column}) = 'string' THEN ${column} #>> '{}' ELSE ${column}::text END`;

/**
 * Brings an OTLP trace's log up to date with all its stored spans: output from the root span (else the
 * last LLM span), the prompt from the root (else the first LLM span), model, latency and cost from the
 * rollups. Once the root has come, the wait for it is lifted so the worker evaluates the log.
 */
export const SETTLE = `
UPDATE logs l SET
  output = left(coalesce(${asText("r.output")}, ${asText("m.output")}, ''), $3),
  input_text = coalesce(left(coalesce(${asText("r.input")}, ${asText("f.input")}), $4), l.input_text),
  model = coalesce(m.model, l.model),
  trace_name = coalesce(r.name, l.trace_name),
  latency_ms = CASE WHEN l.ended_at IS NULL THEN l.latency_ms ELSE EXTRACT(EPOCH FROM (l.ended_at - l.started_at)) * 1000 END,
  cost_usd = CASE WHEN l.total_cost_usd > 0 THEN l.total_cost_usd ELSE l.cost_usd END,
  eval_lease_until = CASE WHEN r.name IS NULL THEN l.eval_lease_until END,
  eval_lease_owner = CASE WHEN r.name IS NULL THEN l.eval_lease_owner END,
  eval_attempts = CASE WHEN r.name IS NULL THEN l.eval_attempts ELSE 0 END,
  updated_at = now()
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (SELECT name, input, output FROM spans WHERE trace_id = $1 AND parent_span_id IS NULL
  ORDER BY started_at, id LIMIT 1) r ON true
LEFT JOIN LATERAL (SELECT output, model FROM spans WHERE trace_id = $1 AND kind = 'llm' AND output IS NOT NULL
  ORDER BY coalesce(ended_at, started_at) DESC, id DESC LIMIT 1) m ON true
LEFT JOIN LATERAL (SELECT input FROM spans WHERE trace_id = $1 AND kind = 'llm' AND input IS NOT NULL
  ORDER BY started_at, id LIMIT 1) f ON true
WHERE l.id = $1 AND l.status = 'pending' AND (l.eval_lease_owner IS NULL OR l.eval_lease_owner = $2)`;

/** Prompt text kept on the log for judges (the span keeps the whole input). */
export const INPUT_TEXT_CHARS = 50_000;

/**
 * OTLP/HTTP trace export: each trace of an export becomes (or adds to) a log, so the workspace's rules
 * evaluate it and every hook, callback and review works on it. Spans and traces that cannot be stored are
 * rejected alone and counted in OTLP's partial-success answer.
 */
export class OtlpIngestService {
  constructor(
    private readonly ingest: LogIngestService,
    /** How long a trace waits for its root span before it is evaluated with what it has. */
    private readonly rootWaitMs: number,
    private readonly defaultProject = "default",
  ) {}

  async export(workspaceId: string, body: unknown): Promise<OtlpExportResponse> {
    const mapped = mapExport(readEnvelope(body), this.defaultProject);
    let rejected = mapped.rejectedSpans;
    const errors = [...mapped.errors];
    for (const trace of mapped.traces) {
      if (trace.spans.length > LIMITS.spansPerRequest) {
        rejected += trace.spans.length;
        errors.push(`trace ${trace.traceId}: more than ${LIMITS.spansPerRequest} spans in one export; send smaller batches`);
        continue;
      }
      try {
        await this.storeTrace(workspaceId, trace);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status >= 500) throw err;
        rejected += trace.spans.length;
        errors.push(`trace ${trace.traceId}: ${err.message}`);
      }
    }
    return rejected ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: errors.slice(0, 5).join("; ") } } : {};
  }

  private async storeTrace(workspaceId: string, trace: OtlpTrace): Promise<void> {
    const spans = prepareSpans(trace.spans);
    await this.ingest.storeTracePart(
      { workspaceId },
      toLogInsert(
        workspaceId,
        trace.traceId,
        {
          project: trace.project,
          output: "",
          task: trace.task ?? undefined,
          timestamp: trace.startedAt,
          sessionId: trace.sessionId ?? undefined,
          subjectId: undefined,
          actorId: trace.actorId ?? undefined,
          sync: false,
          awaitFinalStep: false,
          callbackEvents: "all",
        },
        trace.hasRoot ? null : { owner: AWAITING_ROOT, ms: this.rootWaitMs },
      ),
      { spans, fields: trace.fields },
      async (tx: SqlClient) => {
        await tx.query(SETTLE, [trace.traceId, AWAITING_ROOT, LIMITS.outputChars, INPUT_TEXT_CHARS]);
      },
    );
  }
}
