/** Value lists shared by the backend, the dashboard and every integration. */

export const LOG_STATUSES = ["pending", "pass", "flagged", "error"] as const;
export type LogStatus = (typeof LOG_STATUSES)[number];

/** A final evaluation status (everything but `pending`). */
export const VERDICTS = ["pass", "flagged", "error"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const HUMAN_DECISIONS = ["approved", "rejected"] as const;
export type HumanDecision = (typeof HUMAN_DECISIONS)[number];

export const BULK_ACTIONS = ["approve", "reject", "delete"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export const RULE_TYPES = [
  "keyword_required",
  "keyword_forbidden",
  "regex_match",
  "length_limit",
  "confidence_threshold",
  "llm_judge",
  "json_field",
  "json_field_keyword_required",
  "json_field_keyword_forbidden",
] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const RULE_SCOPES = ["global", "project", "task"] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

/** What a rule checks: the log's output, or each matching span of its trace. */
export const RULE_TARGETS = ["output", "spans"] as const;
export type RuleTarget = (typeof RULE_TARGETS)[number];

export const RULE_OUTCOMES = ["passed", "triggered", "error"] as const;
export type RuleOutcome = (typeof RULE_OUTCOMES)[number];

export const JUDGE_PROVIDERS = ["openai", "anthropic", "openrouter"] as const;
export type JudgeProvider = (typeof JUDGE_PROVIDERS)[number];

/** Which events a log's `callbackUrl` receives. */
export const CALLBACK_EVENTS = ["all", "flagged_error", "decisions", "flagged_error_decisions", "pass"] as const;
export type CallbackEvents = (typeof CALLBACK_EVENTS)[number];

/** Event names on the wire (callbacks, webhooks). */
export const EVENT_TYPES = ["log.evaluated", "log.decided"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Event names a hook subscription (integration trigger) can ask for. */
export const HOOK_EVENTS = ["log.passed", "log.flagged", "log.error", "log.evaluated", "log.decided"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Where a delivery goes. */
export const DELIVERY_KINDS = ["callback", "hook", "slack", "email", "webhook"] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const MEMBER_ROLES = ["admin", "member"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const LOG_SORT_KEYS = ["timestamp", "projectName", "model", "status", "latencyMs", "costUsd"] as const;
export type LogSortKey = (typeof LOG_SORT_KEYS)[number];

export const SORT_DIRECTIONS = ["asc", "desc"] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];
