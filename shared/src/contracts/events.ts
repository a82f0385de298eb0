import { z } from "zod";
import { DELIVERY_KINDS, DELIVERY_STATUSES, EVENT_TYPES, HOOK_EVENTS, HUMAN_DECISIONS, VERDICTS } from "../enums";
import { LIMITS } from "../limits";
import { enumOf, httpUrl, optionalText, unmapped } from "./fields";
import { LogDetail, SyncVerdict } from "./logs";

// ---------- hook subscriptions (integration triggers) ----------

export const CreateHookBody = z
  .object({
    url: httpUrl("url"),
    events: z
      .array(enumOf("events[]", HOOK_EVENTS), { error: () => `events must be an array of: ${HOOK_EVENTS.join(", ")}` })
      .min(1, { error: `events must list at least one of: ${HOOK_EVENTS.join(", ")}` })
      .max(HOOK_EVENTS.length * 2)
      .transform((events) => [...new Set(events)]),
    project: optionalText("project", LIMITS.projectNameChars),
    task: optionalText("task", LIMITS.taskNameChars),
    /** Which integration registered it: n8n, zapier, make, api… */
    source: optionalText("source", 50),
  })
  .meta({ id: "CreateHookBody" });
export type CreateHookBody = z.infer<typeof CreateHookBody>;

export const Hook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(HOOK_EVENTS)),
    project: z.string().nullable(),
    task: z.string().nullable(),
    source: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "Hook" });
export type Hook = z.infer<typeof Hook>;

/** The created subscription, with the secret its receiver verifies `X-Tracira-Signature` against. */
export const CreatedHook = Hook.extend({ signingSecret: z.string() }).meta({ id: "CreatedHook" });
export type CreatedHook = z.infer<typeof CreatedHook>;

export const HookList = z.object({ hooks: z.array(Hook) });
export type HookList = z.infer<typeof HookList>;

// ---------- deliveries ----------

export const ListDeliveriesQuery = z.object({
  logId: unmapped(z.string().max(LIMITS.shortFieldChars)),
  status: unmapped(enumOf("status", DELIVERY_STATUSES)),
  limit: z.coerce
    .number({ error: () => `limit must be a number from 1 to ${LIMITS.pageSizeMax}` })
    .int()
    .min(1)
    .max(LIMITS.pageSizeMax, { error: `limit must be at most ${LIMITS.pageSizeMax}` })
    .default(LIMITS.pageSizeDefault),
});
export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuery>;

export const DeliveryAttempt = z.object({
  attemptNumber: z.number(),
  responseStatus: z.number().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  createdAt: z.string(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const Delivery = z
  .object({
    id: z.string(),
    logId: z.string().nullable(),
    hookId: z.string().nullable(),
    kind: z.enum(DELIVERY_KINDS),
    event: z.enum(EVENT_TYPES),
    /** Where it goes: a URL (Slack's is masked) or an e-mail address. */
    target: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attemptCount: z.number(),
    nextAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    attempts: z.array(DeliveryAttempt),
  })
  .meta({ id: "Delivery" });
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryList = z.object({ deliveries: z.array(Delivery) });
export type DeliveryList = z.infer<typeof DeliveryList>;

// ---------- what receivers get ----------

/** The log as events carry it: everything a trigger needs without a second call (the detail's fields). */
export const EventLog = LogDetail.pick({
  id: true,
  timestamp: true,
  projectId: true,
  projectName: true,
  taskName: true,
  sessionId: true,
  subjectId: true,
  actorId: true,
  model: true,
  latencyMs: true,
  costUsd: true,
  confidence: true,
  input: true,
  output: true,
  metadata: true,
  tags: true,
  attachments: true,
  status: true,
  confidenceScore: true,
  explanation: true,
  appliedRules: true,
  evaluatedAt: true,
  humanDecision: true,
  decidedAt: true,
  decidedBy: true,
  decisionSource: true,
});
export type EventLog = z.infer<typeof EventLog>;

/**
 * The JSON body POSTed to callbacks, hook subscriptions and the outbound webhook. The top level mirrors
 * the `sync: true` answer (`id`, `status`, `verdict`, `confidenceScore`, `explanation`) so a workflow
 * reads both the same way; `log` carries the whole log.
 */
export const EventPayload = z
  .object({
    event: z.enum(EVENT_TYPES),
    /**
     * The same event in the vocabulary triggers subscribe with: `log.passed`, `log.flagged` or `log.error`
     * for an evaluation, `log.decided` for a decision. Filter on this (or on `status`).
     */
    hookEvent: z.enum(HOOK_EVENTS),
    /** Same for every attempt of one delivery: de-duplicate on it (also sent as `X-Tracira-Delivery`). */
    deliveryId: z.string(),
    occurredAt: z.string(),
    workspaceId: z.string(),
    id: z.string(),
    status: z.enum(VERDICTS),
    verdict: SyncVerdict,
    confidenceScore: z.number().nullable(),
    explanation: z.string().nullable(),
    humanDecision: z.enum(HUMAN_DECISIONS).nullable(),
    decidedBy: z.string().nullable(),
    decisionSource: z.string().nullable(),
    log: EventLog,
  })
  .meta({ id: "EventPayload" });
export type EventPayload = z.infer<typeof EventPayload>;
