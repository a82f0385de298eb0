/** The value lists of spans, apart from their zod schemas (the dashboard reads them without zod). */

/** The kinds of step a span records (peer-flapjack-logs-tracing). */
export const SPAN_KINDS = [
  "agent",
  "runner_step",
  "llm",
  "tool",
  "mcp",
  "webhook",
  "condition",
  "embedding",
  "guardrail",
  "chain",
] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

/** A span's (and a trace's) execution status, apart from any verdict. */
export const SPAN_STATUSES = ["running", "ok", "error"] as const;
export type SpanStatus = (typeof SPAN_STATUSES)[number];

/** What a span is as a session event (peer-session-traces). */
export const SPAN_EVENT_TYPES = [
  "llm_call",
  "tool_call",
  "tool_result",
  "decision",
  "handoff",
  "guardrail_eval",
  "state_change",
  "error",
  "response",
] as const;
export type SpanEventType = (typeof SPAN_EVENT_TYPES)[number];
