import { z } from "zod";
import { LIMITS } from "../limits";
import { enumOf, isoDateTime, looseBoolean, maxChars, nonNegativeNumber, optionalText, unmapped } from "./fields";
import { SPAN_EVENT_TYPES, SPAN_KINDS, SPAN_STATUSES } from "./span-values";

export { SPAN_EVENT_TYPES, SPAN_KINDS, SPAN_STATUSES, type SpanEventType, type SpanKind, type SpanStatus } from "./span-values";

const SPAN_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const spanId = (field: string) =>
  z
    .string({ error: () => `${field} must be text: letters, digits and . _ : - (at most 200)` })
    .regex(SPAN_ID, { error: `${field} may use letters, digits and . _ : - (1 to 200 characters)` });
const tokens = (field: string) =>
  unmapped(
    z.coerce
      .number({ error: () => `${field} must be a whole number` })
      .int({ error: `${field} must be a whole number` })
      .min(0),
  );

/** One span as callers send it (camelCase, as the rest of Tracira's own API). */
export const SpanInput = z
  .object({
    id: spanId("spans[].id"),
    parentSpanId: unmapped(spanId("spans[].parentSpanId").nullable()),
    kind: enumOf("spans[].kind", SPAN_KINDS),
    name: maxChars(
      z.string({ error: 'spans[].name is required, e.g. "agent-turn"' }).trim().min(1),
      LIMITS.shortFieldChars,
      "spans[].name is too long",
    ),
    status: unmapped(enumOf("spans[].status", SPAN_STATUSES)),
    startedAt: isoDateTime("spans[].startedAt"),
    endedAt: unmapped(isoDateTime("spans[].endedAt")),
    provider: optionalText("spans[].provider", LIMITS.shortFieldChars),
    model: optionalText("spans[].model", LIMITS.shortFieldChars),
    inputTokens: tokens("spans[].inputTokens"),
    outputTokens: tokens("spans[].outputTokens"),
    cachedInputTokens: tokens("spans[].cachedInputTokens"),
    costUsd: nonNegativeNumber("spans[].costUsd"),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.unknown().optional(),
    attributes: unmapped(z.record(z.string(), z.unknown(), { error: () => "spans[].attributes must be an object" })),
    dottedOrder: optionalText("spans[].dottedOrder", 10_000),
    eventType: unmapped(enumOf("spans[].eventType", SPAN_EVENT_TYPES)),
    decisionKind: optionalText("spans[].decisionKind", LIMITS.shortFieldChars),
  })
  .meta({ id: "SpanInput" });
export type SpanInput = z.output<typeof SpanInput>;

/** The trace a log is the root of: its name and the ids tracing callers group traces by. */
export const TraceInput = z
  .object({
    name: optionalText("trace.name", LIMITS.shortFieldChars),
    agentId: optionalText("trace.agentId", LIMITS.shortFieldChars),
    runnerId: optionalText("trace.runnerId", LIMITS.shortFieldChars),
    threadId: optionalText("trace.threadId", LIMITS.shortFieldChars),
    runId: optionalText("trace.runId", LIMITS.shortFieldChars),
  })
  .meta({ id: "TraceInput" });
export type TraceInput = z.output<typeof TraceInput>;

export const Spans = z
  .array(SpanInput, { error: () => "spans must be an array of spans" })
  .max(LIMITS.spansPerRequest, { error: `at most ${LIMITS.spansPerRequest} spans per request` });

// ---------- W3C trace context ----------

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/** A W3C `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<flags>`) as the trace and span it names; undefined when it is not one. */
export function parseTraceparent(text: string): { traceId: string; spanId: string } | undefined {
  const m = TRACEPARENT.exec(text.trim().toLowerCase());
  if (!m || m[1] === "ff" || (m[1] === "00" && text.trim().length !== 55)) return undefined;
  const [, , traceId, spanId] = m as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId };
}

/** The `traceparent` field of a log: the trace (and its span) the log was posted from. */
export const Traceparent = z.string({ error: () => "traceparent must be text" }).transform((text, ctx) => {
  const parsed = parseTraceparent(text);
  if (!parsed) {
    ctx.addIssue({
      code: "custom",
      message: 'traceparent must be a W3C traceparent, e.g. "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"',
    });
    return z.NEVER;
  }
  return parsed;
});

// ---------- the trace API's answers (snake_case, as peer-flapjack-logs-tracing documents them) ----------

export const TraceSpan = z
  .object({
    id: z.string(),
    trace_id: z.string(),
    parent_span_id: z.string().nullable(),
    kind: z.enum(SPAN_KINDS),
    name: z.string(),
    status: z.enum(SPAN_STATUSES),
    started_at: z.string(),
    ended_at: z.string().nullable(),
    duration_ms: z.number().nullable(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    input_tokens: z.number().nullable(),
    output_tokens: z.number().nullable(),
    cached_input_tokens: z.number().nullable(),
    cost_usd: z.number().nullable(),
    input: z.unknown(),
    output: z.unknown(),
    error: z.unknown(),
    attributes: z.record(z.string(), z.unknown()),
    dotted_order: z.string(),
    event_type: z.enum(SPAN_EVENT_TYPES),
    decision_kind: z.string().nullable(),
  })
  .meta({ id: "TraceSpan" });
export type TraceSpan = z.infer<typeof TraceSpan>;

export const TraceEvaluation = z
  .object({
    id: z.string(),
    span_id: z.string().nullable(),
    trace_id: z.string(),
    evaluator: z.string(),
    evaluator_version: z.string().nullable(),
    name: z.string(),
    score: z.number().nullable(),
    label: z.string().nullable(),
    reason: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .meta({ id: "TraceEvaluation" });
export type TraceEvaluation = z.infer<typeof TraceEvaluation>;

export const TraceHeader = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(SPAN_STATUSES),
    started_at: z.string(),
    ended_at: z.string().nullable(),
    duration_ms: z.number().nullable(),
    total_input_tokens: z.number(),
    total_output_tokens: z.number(),
    total_cost_usd: z.number(),
    tags: z.array(z.string()),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "TraceHeader" });
export type TraceHeader = z.infer<typeof TraceHeader>;

export const TraceDetail = z
  .object({ trace: TraceHeader, spans: z.array(TraceSpan), evaluations: z.array(TraceEvaluation) })
  .meta({ id: "TraceDetail" });
export type TraceDetail = z.infer<typeof TraceDetail>;

export const TraceParams = z.object({ traceId: z.string().min(1).max(LIMITS.shortFieldChars) });

export const AppendSpansBody = z
  .object({ spans: Spans.min(1, { error: "spans must list at least one span" }) })
  .meta({ id: "AppendSpansBody" });
export const AppendSpansResponse = z
  .object({ ok: z.literal(true), traceId: z.string(), spanCount: z.number() })
  .meta({ id: "SpansAppended" });

// ---------- POST /api/logs/:id/steps ----------

/**
 * One step as no-code platforms send it (flat fields, one per request): a span whose id, times and status
 * default sensibly. `final` ends the run of a log created with `awaitFinalStep`; `sync` then waits for its verdict.
 */
export const AddStepBody = z
  .object({
    id: unmapped(spanId("id")),
    parentStepId: unmapped(spanId("parentStepId")),
    kind: unmapped(enumOf("kind", SPAN_KINDS)),
    name: maxChars(
      z.string({ error: 'name is required: what this step did, e.g. "Draft reply"' }).trim().min(1, { error: "name must not be empty" }),
      LIMITS.shortFieldChars,
      "name is too long",
    ),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    model: optionalText("model", LIMITS.shortFieldChars),
    provider: optionalText("provider", LIMITS.shortFieldChars),
    inputTokens: tokens("inputTokens"),
    outputTokens: tokens("outputTokens"),
    costUsd: nonNegativeNumber("costUsd"),
    status: unmapped(enumOf("status", SPAN_STATUSES)),
    error: optionalText("error", LIMITS.ruleDescriptionChars),
    startedAt: unmapped(isoDateTime("startedAt")),
    endedAt: unmapped(isoDateTime("endedAt")),
    durationMs: nonNegativeNumber("durationMs", 31 * 24 * 3_600_000),
    final: looseBoolean("final"),
    sync: looseBoolean("sync"),
  })
  .superRefine((body, ctx) => {
    if (body.sync && !body.final) {
      ctx.addIssue({
        code: "custom",
        path: ["sync"],
        message: "sync waits for the verdict of the run's final step: set final to true as well, or leave sync out",
      });
    }
  })
  .meta({ id: "AddStepBody" });
export type AddStepBody = z.input<typeof AddStepBody>;
export type AddStepInput = z.output<typeof AddStepBody>;

export const StepAdded = z
  .object({ ok: z.literal(true), traceId: z.string(), stepId: z.string(), spanCount: z.number(), final: z.boolean() })
  .meta({ id: "StepAdded" });
export type StepAdded = z.infer<typeof StepAdded>;

// ---------- GET /api/traces ----------

export const TRACE_PAGE_MAX = 200;

/** `<startedAt ISO>|<traceId>`: where the previous page ended. */
const TraceCursor = z
  .string()
  .max(400)
  .transform((text, ctx) => {
    const bar = text.indexOf("|");
    const startedAt = bar > 0 ? new Date(text.slice(0, bar)) : new Date(Number.NaN);
    if (Number.isNaN(startedAt.getTime()) || bar === text.length - 1) {
      ctx.addIssue({ code: "custom", message: "cursor must be a nextCursor from a previous answer (<startedAt>|<traceId>)" });
      return z.NEVER;
    }
    return { startedAt, traceId: text.slice(bar + 1) };
  });

export const ListTracesQuery = z.object({
  limit: z.coerce
    .number({ error: () => `limit must be a number from 1 to ${TRACE_PAGE_MAX}` })
    .int({ error: `limit must be a whole number from 1 to ${TRACE_PAGE_MAX}` })
    .min(1, { error: "limit must be at least 1" })
    .max(TRACE_PAGE_MAX, { error: `limit must be at most ${TRACE_PAGE_MAX}` })
    .default(50),
  cursor: unmapped(TraceCursor),
  agent_id: optionalText("agent_id", LIMITS.shortFieldChars),
  runner_id: optionalText("runner_id", LIMITS.shortFieldChars),
  thread_id: optionalText("thread_id", LIMITS.shortFieldChars),
  run_id: optionalText("run_id", LIMITS.shortFieldChars),
  status: unmapped(enumOf("status", SPAN_STATUSES)),
  q: optionalText("q", LIMITS.queryChars),
});
export type ListTracesQuery = z.output<typeof ListTracesQuery>;

/** A trace in the list: the header's fields (its metadata only in the detail), the ids it is grouped by, and its counts. */
export const TraceListItem = TraceHeader.omit({ metadata: true })
  .extend({
    org_id: z.string(),
    agent_id: z.string().nullable(),
    runner_id: z.string().nullable(),
    thread_id: z.string().nullable(),
    run_id: z.string().nullable(),
    session_id: z.string().nullable(),
    user_id: z.string().nullable(),
    span_count: z.number(),
    error_count: z.number(),
    llm_call_count: z.number(),
    tool_call_count: z.number(),
  })
  .meta({ id: "TraceListItem" });
export type TraceListItem = z.infer<typeof TraceListItem>;

export const TraceList = z.object({ traces: z.array(TraceListItem), nextCursor: z.string().nullable() }).meta({ id: "TraceList" });
export type TraceList = z.infer<typeof TraceList>;

// ---------- POST /api/logs/:id/evaluations ----------

/** A caller's own score on a trace (and one of its spans): never changes the verdict. */
export const EvaluationInput = z
  .object({
    id: spanId("evaluations[].id"),
    spanId: unmapped(spanId("evaluations[].spanId")),
    evaluator: maxChars(
      z.string({ error: 'evaluations[].evaluator is required: your evaluator\'s name, e.g. "my_team.tone_check"' }).trim().min(1),
      LIMITS.shortFieldChars,
      "evaluations[].evaluator is too long",
    ),
    evaluatorVersion: optionalText("evaluations[].evaluatorVersion", LIMITS.shortFieldChars),
    name: maxChars(
      z.string({ error: "evaluations[].name is required" }).trim().min(1),
      LIMITS.shortFieldChars,
      "evaluations[].name is too long",
    ),
    score: unmapped(
      z.coerce
        .number({ error: () => "evaluations[].score must be a number from 0 to 1" })
        .min(0, { error: "evaluations[].score must be from 0 to 1" })
        .max(1, { error: "evaluations[].score must be from 0 to 1" }),
    ),
    label: optionalText("evaluations[].label", LIMITS.shortFieldChars),
    reason: optionalText("evaluations[].reason", LIMITS.ruleDescriptionChars),
    metadata: unmapped(z.record(z.string(), z.unknown(), { error: () => "evaluations[].metadata must be an object" })),
  })
  .meta({ id: "EvaluationInput" });
export type EvaluationInput = z.output<typeof EvaluationInput>;

export const AddEvaluationsBody = z
  .object({
    evaluations: z
      .array(EvaluationInput, { error: () => "evaluations must be an array" })
      .min(1, { error: "evaluations must list at least one evaluation" })
      .max(100, { error: "at most 100 evaluations per request" }),
  })
  .meta({ id: "AddEvaluationsBody" });
export const AddEvaluationsResponse = z
  .object({ ok: z.literal(true), traceId: z.string(), stored: z.number() })
  .meta({ id: "EvaluationsAdded" });
