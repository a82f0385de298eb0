import { z } from "zod";
import { LOG_STATUSES } from "../enums";
import { LIMITS } from "../limits";
import { isoDateTime, optionalText, unmapped } from "./fields";
import { SPAN_EVENT_TYPES, SPAN_KINDS, SPAN_STATUSES, TRACE_PAGE_MAX } from "./traces";

/**
 * The session API (peer-session-traces), in Tracira's own camelCase: a session is the ordered set of one
 * project's traces (logs) that share a `sessionId`; each trace's spans are its events.
 */

const pathText = (field: string) =>
  z
    .string({ error: () => `${field} is required` })
    .min(1, { error: `${field} must not be empty` })
    .max(LIMITS.shortFieldChars, { error: `${field} must be at most ${LIMITS.shortFieldChars} characters` });

export const ProjectSessionsParams = z.object({ projectId: pathText("projectId") });
export const SessionParams = ProjectSessionsParams.extend({ sessionId: pathText("sessionId") });
export const SessionSpanParams = SessionParams.extend({ spanId: pathText("spanId") });

const pageLimit = z.coerce
  .number({ error: () => `limit must be a number from 1 to ${TRACE_PAGE_MAX}` })
  .int({ error: `limit must be a whole number from 1 to ${TRACE_PAGE_MAX}` })
  .min(1, { error: "limit must be at least 1" })
  .max(TRACE_PAGE_MAX, { error: `limit must be at most ${TRACE_PAGE_MAX}` })
  .default(50);

/** A comma-separated list of known values (`eventType=decision,handoff`), each checked. */
const listOf = <const T extends readonly [string, ...string[]]>(field: string, values: T) =>
  unmapped(
    z
      .string({ error: () => `${field} must be text: one or more of ${values.join(", ")}, comma-separated` })
      .max(1_000, { error: `${field} is too long` })
      .transform((text, ctx) => {
        const items = [...new Set(text.split(",").map((v) => v.trim()))].filter(Boolean);
        const unknown = items.filter((v) => !(values as readonly string[]).includes(v));
        if (items.length === 0 || unknown.length > 0) {
          const got = unknown.length ? ` (got "${unknown[0]!.slice(0, 40)}")` : "";
          ctx.addIssue({ code: "custom", message: `${field} must be one or more of: ${values.join(", ")}, comma-separated${got}` });
          return z.NEVER;
        }
        return items as T[number][];
      }),
  );

/** A comma-separated list of free values (`decisionKind=handoff,route`). */
const textList = (field: string) =>
  unmapped(
    z
      .string({ error: () => `${field} must be text: one or more values, comma-separated` })
      .max(1_000, { error: `${field} is too long` })
      .transform((text) => [...new Set(text.split(",").map((v) => v.trim()))].filter(Boolean)),
  );

/** A cursor made of an ISO time and ids: `<time>|<id>` or `<time>|<id>|<id>`. */
const cursorOf = <T>(example: string, read: (time: Date, rest: string) => T | undefined) =>
  z
    .string()
    .max(1_000, { error: "cursor is too long" })
    .transform((text, ctx) => {
      const bar = text.indexOf("|");
      const time = bar > 0 ? new Date(text.slice(0, bar)) : new Date(Number.NaN);
      const value = Number.isNaN(time.getTime()) || bar === text.length - 1 ? undefined : read(time, text.slice(bar + 1));
      if (value === undefined) {
        ctx.addIssue({ code: "custom", message: `cursor must be a nextCursor from a previous answer (${example})` });
        return z.NEVER;
      }
      return value;
    });

const activityRange = {
  from: unmapped(isoDateTime("from")),
  to: unmapped(isoDateTime("to")),
  q: optionalText("q", LIMITS.queryChars),
};

// ---------- GET /api/projects/:projectId/sessions ----------

export const ListSessionsQuery = z.object({
  limit: pageLimit,
  cursor: unmapped(cursorOf("<lastActivityAt>|<sessionId>", (lastActivityAt, sessionId) => ({ lastActivityAt, sessionId }))),
  ...activityRange,
});
export type ListSessionsQuery = z.output<typeof ListSessionsQuery>;

export const SessionListItem = z
  .object({
    sessionId: z.string(),
    traceCount: z.number().int(),
    firstStartedAt: z.string(),
    lastEndedAt: z.string().nullable(),
    lastActivityAt: z.string(),
    totalLatencyMs: z.number(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    costUsd: z.number(),
    spanCount: z.number().int(),
    errorCount: z.number().int(),
    llmCallCount: z.number().int(),
    toolCallCount: z.number().int(),
    flaggedCount: z.number().int(),
    runningCount: z.number().int(),
  })
  .meta({ id: "SessionListItem" });
export type SessionListItem = z.infer<typeof SessionListItem>;

export const SessionList = z.object({ sessions: z.array(SessionListItem), nextCursor: z.string().nullable() }).meta({ id: "SessionList" });
export type SessionList = z.infer<typeof SessionList>;

// ---------- events, traces, children ----------

export const SessionEvent = z
  .object({
    id: z.string(),
    traceId: z.string(),
    turn: z.number().int(),
    parentSpanId: z.string().nullable(),
    depth: z.number().int(),
    eventType: z.enum(SPAN_EVENT_TYPES),
    decisionKind: z.string().nullable(),
    kind: z.enum(SPAN_KINDS),
    name: z.string(),
    status: z.enum(SPAN_STATUSES),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    cachedInputTokens: z.number().nullable(),
    costUsd: z.number().nullable(),
    input: z.unknown(),
    output: z.unknown(),
    error: z.unknown(),
    attributes: z.record(z.string(), z.unknown()),
    /** True for the one `response` event standing for a log sent without spans. */
    synthesized: z.boolean(),
  })
  .meta({ id: "SessionEvent" });
export type SessionEvent = z.infer<typeof SessionEvent>;

export const SessionTurnLatency = z
  .object({
    turn: z.number().int(),
    traceId: z.string(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    latencyMs: z.number().nullable(),
  })
  .meta({ id: "SessionTurnLatency" });

export const SessionLlmCall = z
  .object({
    turn: z.number().int(),
    traceId: z.string(),
    spanId: z.string(),
    name: z.string(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    cachedInputTokens: z.number(),
    totalTokens: z.number(),
    latencyMs: z.number().nullable(),
    costUsd: z.number().nullable(),
  })
  .meta({ id: "SessionLlmCall" });

export const SessionMetrics = z
  .object({
    sessionId: z.string(),
    turnCount: z.number().int(),
    totalLatencyMs: z.number(),
    elapsedMs: z.number().nullable(),
    turns: z.array(SessionTurnLatency),
    llmCalls: z.array(SessionLlmCall),
    tokens: z.object({ input: z.number(), output: z.number(), cachedInput: z.number(), total: z.number() }),
    toolCallCount: z.number().int(),
    toolSuccessCount: z.number().int(),
    toolErrorCount: z.number().int(),
    toolSuccessRate: z.number().nullable(),
    guardrailEvaluationCount: z.number().int(),
    guardrailBlockCount: z.number().int(),
    guardrailBlockRate: z.number().nullable(),
  })
  .meta({ id: "SessionMetrics" });
export type SessionMetrics = z.infer<typeof SessionMetrics>;

export const SessionTrace = z
  .object({
    traceId: z.string(),
    turn: z.number().int(),
    name: z.string(),
    /** The log's evaluation status. */
    status: z.enum(LOG_STATUSES),
    /** The trace's execution status, apart from the verdict. */
    executionStatus: z.enum(SPAN_STATUSES),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    spanCount: z.number().int(),
    errorCount: z.number().int(),
    llmCallCount: z.number().int(),
    toolCallCount: z.number().int(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    costUsd: z.number(),
    events: z.array(SessionEvent),
  })
  .meta({ id: "SessionTrace" });
export type SessionTrace = z.infer<typeof SessionTrace>;

export const SESSION_INCLUDES = ["metrics"] as const;

export const SessionTracesQuery = z.object({
  eventType: listOf("eventType", SPAN_EVENT_TYPES),
  decisionKind: textList("decisionKind"),
  include: listOf("include", SESSION_INCLUDES),
});
export type SessionTracesQuery = z.output<typeof SessionTracesQuery>;

export const SessionTraces = z
  .object({ projectId: z.string(), sessionId: z.string(), traces: z.array(SessionTrace), metrics: SessionMetrics.optional() })
  .meta({ id: "SessionTraces" });
export type SessionTraces = z.infer<typeof SessionTraces>;

export const SessionChildrenQuery = z.object({ traceId: optionalText("traceId", LIMITS.shortFieldChars) });
export type SessionChildrenQuery = z.output<typeof SessionChildrenQuery>;

export const SessionChildren = z
  .object({ sessionId: z.string(), traceId: z.string(), spanId: z.string(), depth: z.number().int(), events: z.array(SessionEvent) })
  .meta({ id: "SessionChildren" });
export type SessionChildren = z.infer<typeof SessionChildren>;

// ---------- GET …/:sessionId/analysis ----------

export const SessionSpanRef = z
  .object({ traceId: z.string(), turn: z.number().int(), spanId: z.string(), kind: z.enum(SPAN_KINDS), name: z.string() })
  .meta({ id: "SessionSpanRef" });
export type SessionSpanRef = z.infer<typeof SessionSpanRef>;

export const SlowSpanFinding = SessionSpanRef.extend({
  durationMs: z.number(),
  thresholdMs: z.number(),
  /** `project_kind_p95`: the project's spans of this kind; `session_p95`: the session's spans. */
  baseline: z.enum(["project_kind_p95", "session_p95"]),
  baselineCount: z.number().int(),
  reason: z.string(),
}).meta({ id: "SlowSpanFinding" });
export type SlowSpanFinding = z.infer<typeof SlowSpanFinding>;

export const ErrorPatternFinding = z
  .object({
    kind: z.enum(SPAN_KINDS),
    name: z.string(),
    pattern: z.string(),
    count: z.number().int(),
    example: z.string(),
    spans: z.array(SessionSpanRef),
    reason: z.string(),
  })
  .meta({ id: "ErrorPatternFinding" });
export type ErrorPatternFinding = z.infer<typeof ErrorPatternFinding>;

export const RareDecisionFinding = z
  .object({
    type: z.literal("rare_decision"),
    decisionKind: z.string(),
    projectCount: z.number().int(),
    projectTotal: z.number().int(),
    projectShare: z.number(),
    spans: z.array(SessionSpanRef),
    reason: z.string(),
  })
  .meta({ id: "RareDecisionFinding" });

export const HandoffLoopFinding = z
  .object({
    type: z.literal("handoff_loop"),
    target: z.string(),
    sequence: z.array(z.string()),
    spans: z.array(SessionSpanRef),
    reason: z.string(),
  })
  .meta({ id: "HandoffLoopFinding" });

export const DecisionAnomaly = z.discriminatedUnion("type", [RareDecisionFinding, HandoffLoopFinding]).meta({ id: "DecisionAnomaly" });
export type DecisionAnomaly = z.infer<typeof DecisionAnomaly>;

export const ANALYSIS_FINDINGS = ["slow_span", "error_pattern", "rare_decision", "handoff_loop"] as const;

export const AnalysisSuggestion = z
  .object({
    finding: z.enum(ANALYSIS_FINDINGS),
    /** Where the finding is: its index in `slowSpans`, `errorPatterns` or `decisionAnomalies`. */
    findingIndex: z.number().int(),
    traceId: z.string(),
    spanId: z.string(),
    text: z.string(),
  })
  .meta({ id: "AnalysisSuggestion" });
export type AnalysisSuggestion = z.infer<typeof AnalysisSuggestion>;

export const SessionAnalysis = z
  .object({
    sessionId: z.string(),
    slowSpans: z.array(SlowSpanFinding),
    errorPatterns: z.array(ErrorPatternFinding),
    decisionAnomalies: z.array(DecisionAnomaly),
    suggestions: z.array(AnalysisSuggestion),
  })
  .meta({ id: "SessionAnalysis" });
export type SessionAnalysis = z.infer<typeof SessionAnalysis>;

// ---------- GET …/sessions/export ----------

export const EXPORT_FORMATS = ["csv"] as const;

export const ExportSessionsQuery = z.object({
  format: z.enum(EXPORT_FORMATS, { error: () => `format must be one of: ${EXPORT_FORMATS.join(", ")}` }).default("csv"),
  ...activityRange,
  sessionId: optionalText("sessionId", LIMITS.shortFieldChars),
  eventType: listOf("eventType", SPAN_EVENT_TYPES),
  decisionKind: textList("decisionKind"),
});
export type ExportSessionsQuery = z.output<typeof ExportSessionsQuery>;

/** The export is a file, not JSON; OpenAPI documents it as text. */
export const SessionsCsv = z.string().meta({ id: "SessionsCsv", description: "text/csv; one row per event" });

// ---------- GET …/sessions/generations ----------

export const ListGenerationsQuery = z.object({
  limit: pageLimit,
  cursor: unmapped(
    cursorOf("<startedAt>|<traceId>|<spanId>", (startedAt, rest) => {
      // A span id never holds a bar; a trace id (a log id) may.
      const bar = rest.lastIndexOf("|");
      return bar > 0 && bar < rest.length - 1 ? { startedAt, traceId: rest.slice(0, bar), spanId: rest.slice(bar + 1) } : undefined;
    }),
  ),
  sessionId: optionalText("sessionId", LIMITS.shortFieldChars),
  model: optionalText("model", LIMITS.shortFieldChars),
});
export type ListGenerationsQuery = z.output<typeof ListGenerationsQuery>;

export const Generation = z
  .object({
    sessionId: z.string(),
    traceId: z.string(),
    spanId: z.string(),
    name: z.string(),
    status: z.enum(SPAN_STATUSES),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    startedAt: z.string(),
    endedAt: z.string().nullable(),
    latencyMs: z.number().nullable(),
    inputTokens: z.number().nullable(),
    outputTokens: z.number().nullable(),
    cachedInputTokens: z.number().nullable(),
    totalTokens: z.number(),
    costUsd: z.number().nullable(),
    prompt: z.object({ metadata: z.record(z.string(), z.unknown()), inputPreview: z.string().nullable() }),
  })
  .meta({ id: "Generation" });
export type Generation = z.infer<typeof Generation>;

export const GenerationList = z
  .object({ generations: z.array(Generation), nextCursor: z.string().nullable() })
  .meta({ id: "GenerationList" });
export type GenerationList = z.infer<typeof GenerationList>;
