/**
 * The values every integration is built with. `scripts/generate-contracts.mjs` writes them as literals into
 * each integration (the n8n package may have no runtime dependency, and Zapier's and Make's apps are uploaded
 * on their own), next to verbatim copies of this folder's other modules, which import only this file and
 * Node's `crypto`.
 */
import type { SpanKind, SpanStatus } from "../contracts/traces";

export { EVENT_TYPES, HOOK_EVENTS, HUMAN_DECISIONS, LOG_STATUSES, VERDICTS } from "../enums";
export type { EventType, HookEvent, HumanDecision, LogStatus, Verdict } from "../enums";
export { LIMITS } from "../limits";
export { SPAN_KINDS, SPAN_STATUSES } from "../contracts/traces";
export type { SpanKind, SpanStatus } from "../contracts/traces";

/** The header a delivery's signature travels in: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = "X-Tracira-Signature";
/** How far a signature's `t` may be from the receiver's clock before the delivery counts as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** How each status reads in a dropdown. */
export const STATUS_LABELS = { pending: "Pending", pass: "Pass", flagged: "Flagged", error: "Error" } as const;

/** The hook events a verdict trigger offers, with how each reads; `log.decided` is the decision trigger's. */
export const VERDICT_EVENT_LABELS = {
  "log.evaluated": "Any verdict",
  "log.passed": "Pass",
  "log.flagged": "Flagged",
  "log.error": "Error",
} as const;

/** How each kind of trace step reads in a dropdown (Add Step). */
export const SPAN_KIND_LABELS = {
  agent: "Agent",
  runner_step: "Runner Step",
  llm: "LLM Call",
  tool: "Tool Call",
  mcp: "MCP Call",
  webhook: "Webhook",
  condition: "Condition",
  embedding: "Embedding",
  guardrail: "Guardrail",
  chain: "Chain",
} as const satisfies Record<SpanKind, string>;

/** How each step status reads in a dropdown (Add Step). */
export const SPAN_STATUS_LABELS = { ok: "OK", error: "Error", running: "Running" } as const satisfies Record<SpanStatus, string>;
