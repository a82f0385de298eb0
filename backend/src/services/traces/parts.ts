import { LIMITS, type SpanInput, type TraceInput } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { AWAITING_ROOT } from "../../evaluation/store";
import { toLogInsert } from "../logs/batch-insert";
import type { LogIngestService } from "../logs/ingest";
import { prepareSpans } from "./spans";

/** One part of a trace sent in parts (an OTLP export, a LangSmith upload): its spans, and what its log takes from them. */
export interface TracePart {
  traceId: string;
  project: string;
  task: string | null;
  sessionId: string | null;
  actorId: string | null;
  fields: TraceInput;
  spans: SpanInput[];
  startedAt: Date;
}

/**
 * A span payload as the log's text: a JSON string as its text, a chat message (an object whose `content` is
 * text) as its content, an agent's state (`{messages: [...]}`) as its last message's content, anything else
 * as its JSON.
 */
const asText = (column: string) =>
  `CASE WHEN jsonb_typeof(${column}) = 'string' THEN ${column} #>> '{}'
        WHEN jsonb_typeof(${column} -> 'content') = 'string' THEN ${column} ->> 'content'
        WHEN jsonb_typeof(${column} -> 'messages' -> -1 -> 'content') = 'string' THEN ${column} -> 'messages' -> -1 ->> 'content'
        ELSE ${column}::text END`;

/**
 * Brings a trace's log up to date with all its stored spans: output from the root span (else the last LLM
 * span), the prompt from the root (else the first LLM span), model, latency and cost from the rollups. Once
 * the root has ended, the wait for it is lifted so the worker evaluates the log.
 */
export const SETTLE = `
UPDATE logs l SET
  output = left(coalesce(${asText("r.output")}, ${asText("m.output")}, ''), $3),
  input_text = coalesce(left(coalesce(${asText("r.input")}, ${asText("f.input")}), $4), l.input_text),
  model = coalesce(m.model, l.model),
  trace_name = coalesce(r.name, l.trace_name),
  latency_ms = CASE WHEN l.ended_at IS NULL THEN l.latency_ms ELSE EXTRACT(EPOCH FROM (l.ended_at - l.started_at)) * 1000 END,
  cost_usd = CASE WHEN l.total_cost_usd > 0 THEN l.total_cost_usd ELSE l.cost_usd END,
  eval_lease_until = CASE WHEN r.ended_at IS NULL THEN l.eval_lease_until END,
  eval_lease_owner = CASE WHEN r.ended_at IS NULL THEN l.eval_lease_owner END,
  eval_attempts = CASE WHEN r.ended_at IS NULL THEN l.eval_attempts ELSE 0 END,
  updated_at = now()
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (SELECT name, input, output, ended_at FROM spans WHERE trace_id = $1 AND parent_span_id IS NULL
  ORDER BY started_at, id LIMIT 1) r ON true
LEFT JOIN LATERAL (SELECT output, model FROM spans WHERE trace_id = $1 AND kind = 'llm' AND output IS NOT NULL
  ORDER BY coalesce(ended_at, started_at) DESC, id DESC LIMIT 1) m ON true
LEFT JOIN LATERAL (SELECT input FROM spans WHERE trace_id = $1 AND kind = 'llm' AND input IS NOT NULL
  ORDER BY started_at, id LIMIT 1) f ON true
WHERE l.id = $1 AND l.status = 'pending' AND (l.eval_lease_owner IS NULL OR l.eval_lease_owner = $2)`;

/** Prompt text kept on the log for judges (the span keeps the whole input). */
export const INPUT_TEXT_CHARS = 50_000;

/**
 * Stores traces that arrive in parts: the first part creates the trace's log, held for its root span; each
 * part adds its spans (idempotent by span id) and settles the log from all of them, in one transaction.
 * The hold is lifted once the root span has ended, or runs out after `rootWaitMs` and the worker evaluates
 * what the trace has.
 */
export class TracePartWriter {
  constructor(
    private readonly ingest: LogIngestService,
    private readonly rootWaitMs: number,
  ) {}

  /** @param then runs in the part's transaction once its spans are stored, before the log is settled. */
  async store(workspaceId: string, part: TracePart, then?: (tx: SqlClient) => Promise<void>): Promise<void> {
    const spans = prepareSpans(part.spans);
    await this.ingest.storeTracePart(
      { workspaceId },
      toLogInsert(
        workspaceId,
        part.traceId,
        {
          project: part.project,
          output: "",
          task: part.task ?? undefined,
          timestamp: part.startedAt,
          sessionId: part.sessionId ?? undefined,
          subjectId: undefined,
          actorId: part.actorId ?? undefined,
          sync: false,
          awaitFinalStep: false,
          callbackEvents: "all",
        },
        { owner: AWAITING_ROOT, ms: this.rootWaitMs },
      ),
      { spans, fields: part.fields },
      async (tx: SqlClient) => {
        if (then) await then(tx);
        await tx.query(SETTLE, [part.traceId, AWAITING_ROOT, LIMITS.outputChars, INPUT_TEXT_CHARS]);
      },
    );
  }
}
