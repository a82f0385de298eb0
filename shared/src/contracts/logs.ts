import { z } from "zod";
import {
  BULK_ACTIONS,
  CALLBACK_EVENTS,
  HUMAN_DECISIONS,
  LOG_SORT_KEYS,
  LOG_STATUSES,
  RULE_OUTCOMES,
  RULE_SCOPES,
  RULE_TYPES,
  SORT_DIRECTIONS,
  VERDICTS,
} from "../enums";
import { LIMITS } from "../limits";
import { TraceFiltersParam } from "./trace-filters";
import { Spans, StepAdded, TraceInput, Traceparent } from "./traces";
import {
  codePoints,
  contextId,
  maxChars,
  unmapped,
  enumOf,
  httpUrl,
  isoDateTime,
  looseBoolean,
  nonNegativeNumber,
  optionalText,
  requiredText,
} from "./fields";

// ---------- POST /api/logs ----------

const InputPart = z
  .object({
    type: enumOf("input[].type", ["text", "image_url", "audio_url", "file_url"]),
    text: maxChars(z.string(), LIMITS.inputChars, `input[].text must be at most ${LIMITS.inputChars} characters`).optional(),
    image_url: z.union([z.string(), z.object({ url: z.string() }).loose()]).optional(),
    audio_url: z.union([z.string(), z.object({ url: z.string() }).loose()]).optional(),
    file_url: z.union([z.string(), z.object({ url: z.string() }).loose()]).optional(),
  })
  .loose();

const Input = z.union(
  [
    maxChars(z.string(), LIMITS.inputChars, `input must be at most ${LIMITS.inputChars} characters`),
    z.array(InputPart).max(LIMITS.inputParts, { error: `input may have at most ${LIMITS.inputParts} parts` }),
  ],
  { error: () => "input must be text or an array of content parts ({ type: 'text', text } …)" },
);

const Output = z
  .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())], {
    error: (iss) =>
      iss.input === undefined || iss.input === null
        ? 'output is required: the AI-generated text to check, e.g. "Here is my answer."'
        : `output must be text (or a JSON object/array), not ${typeof iss.input}`,
  })
  .transform((value, ctx) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const length = codePoints(text);
    if (length > LIMITS.outputChars) {
      ctx.addIssue({
        code: "custom",
        message: `output must be at most ${LIMITS.outputChars} characters (got ${length}); send a shorter output or split it into several logs`,
      });
      return z.NEVER;
    }
    return text;
  });

const Tags = z
  .union(
    [
      z.array(
        z
          .string({ error: "each tag must be text" })
          .trim()
          .min(1, { error: "tags must not be empty" })
          .pipe(maxChars(z.string(), LIMITS.tagChars, `each tag must be at most ${LIMITS.tagChars} characters`)),
      ),
      z.string().max(LIMITS.tags * (LIMITS.tagChars + 1)),
    ],
    { error: () => "tags must be an array of texts (or one comma-separated text)" },
  )
  .transform((value) =>
    typeof value === "string"
      ? value
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean)
      : value,
  )
  .pipe(
    z
      .array(z.string().max(LIMITS.tagChars, { error: `each tag must be at most ${LIMITS.tagChars} characters` }))
      .max(LIMITS.tags, { error: `at most ${LIMITS.tags} tags` }),
  )
  .transform((tags) => [...new Set(tags)]);

const Metadata = z
  .record(z.string(), z.unknown(), { error: () => "metadata must be a JSON object of key-value pairs" })
  .refine((value) => JSON.stringify(value).length <= LIMITS.metadataJsonChars, {
    error: `metadata must be at most ${LIMITS.metadataJsonChars} characters as JSON`,
  });

const Attachment = z.union(
  [
    z.object({ url: httpUrl("attachments[].url") }),
    z.object({
      // No length cap here: the body limit bounds it, and the service answers 413 past 10 MB decoded.
      upload: z
        .string()
        .min(1)
        .meta({ description: "The file as base64 (a data: URL prefix is accepted), at most 10 MB decoded; larger is a 413" }),
      filename: requiredText("attachments[].filename", 255, "report.pdf"),
      contentType: requiredText("attachments[].contentType", 255, "application/pdf"),
    }),
  ],
  { error: () => "each attachment must be { url } or { upload (base64), filename, contentType }" },
);

/** A caller-chosen log id: printable, no spaces, so it is safe in URLs. */
const CallerLogId = z
  .union([z.string(), z.number().int()], { error: () => "id must be text" })
  .transform((v) => String(v).trim())
  .pipe(
    z
      .string()
      .min(1, { error: "id must not be empty" })
      .max(LIMITS.shortFieldChars, { error: `id must be at most ${LIMITS.shortFieldChars} characters` })
      .regex(/^[A-Za-z0-9._:~-]+$/, { error: "id may only contain letters, digits and . _ : ~ -" }),
  );

const contextAliases = {
  sessionId: ["conversationId", "threadId", "chatId"],
  subjectId: ["customerId", "recordId", "ticketId", "accountId"],
  actorId: ["userId", "endUserId", "agentId"],
} as const;

export const CreateLogBody = z
  .object({
    project: requiredText("project", LIMITS.projectNameChars, "support-replies"),
    /** Required, unless the log waits for its final step (which then brings it). */
    output: Output.optional().meta({
      description:
        "The AI output to check (text, or JSON stored as its text). Required, unless awaitFinalStep is true: the final step's output then becomes it",
    }),
    task: optionalText("task", LIMITS.taskNameChars),
    model: optionalText("model", LIMITS.shortFieldChars),
    latencyMs: nonNegativeNumber("latencyMs"),
    costUsd: nonNegativeNumber("costUsd"),
    confidence: nonNegativeNumber("confidence", 1),
    input: unmapped(Input),
    inputText: optionalText("inputText", LIMITS.inputChars),
    attachments: unmapped(
      z
        .array(Attachment, { error: () => "attachments must be an array" })
        .max(LIMITS.attachments, { error: `at most ${LIMITS.attachments} attachments` }),
    ),
    callbackUrl: unmapped(httpUrl("callbackUrl")),
    callbackEvents: unmapped(enumOf("callbackEvents", CALLBACK_EVENTS)),
    metadata: unmapped(Metadata),
    tags: unmapped(Tags),
    id: unmapped(CallerLogId),
    sync: unmapped(looseBoolean("sync")),
    timestamp: unmapped(isoDateTime("timestamp")),
    sessionId: contextId("sessionId"),
    conversationId: contextId("conversationId"),
    threadId: contextId("threadId"),
    chatId: contextId("chatId"),
    subjectId: contextId("subjectId"),
    customerId: contextId("customerId"),
    recordId: contextId("recordId"),
    ticketId: contextId("ticketId"),
    accountId: contextId("accountId"),
    actorId: contextId("actorId"),
    userId: contextId("userId"),
    endUserId: contextId("endUserId"),
    agentId: contextId("agentId"),
    /** This log as a trace root: its name and grouping ids, and its steps. */
    trace: unmapped(TraceInput),
    spans: unmapped(Spans),
    /** The log is a run of steps: no verdict until a step with `final: true` (POST /api/logs/:id/steps) ends it. */
    awaitFinalStep: unmapped(looseBoolean("awaitFinalStep")),
    /** The W3C trace context the log was posted from (also read from the `traceparent` header). */
    traceparent: unmapped(Traceparent),
  })
  .superRefine((body, ctx) => {
    if (body.output === undefined && !body.awaitFinalStep) {
      ctx.addIssue({
        code: "custom",
        path: ["output"],
        message: 'output is required: the AI-generated text to check, e.g. "Here is my answer."',
      });
    }
    if (body.awaitFinalStep && body.sync) {
      ctx.addIssue({
        code: "custom",
        path: ["sync"],
        message:
          "a log that waits for its final step has no verdict yet: send sync: true with the final step (POST /api/logs/:id/steps) instead",
      });
    }
  })
  .transform((body) => {
    // The canonical name wins; otherwise the first alias given.
    const pick = (key: keyof typeof contextAliases) =>
      body[key] ?? contextAliases[key].map((alias) => body[alias]).find((v) => v !== undefined && v !== "");
    const { conversationId, threadId, chatId, customerId, recordId, ticketId, accountId, userId, endUserId, agentId, ...rest } = body;
    return {
      ...rest,
      task: rest.task?.trim() || undefined,
      sessionId: pick("sessionId") || undefined,
      subjectId: pick("subjectId") || undefined,
      actorId: pick("actorId") || undefined,
      output: rest.output ?? "",
      sync: rest.sync ?? false,
      awaitFinalStep: rest.awaitFinalStep ?? false,
      callbackEvents: rest.callbackEvents ?? "all",
    };
  });
export type CreateLogBody = z.input<typeof CreateLogBody>;
export type CreateLogInput = z.output<typeof CreateLogBody>;

export const AsyncLogAccepted = z
  .object({ ok: z.literal(true), id: z.string(), status: enumOf("status", LOG_STATUSES) })
  .meta({ id: "LogAccepted" });

export const SyncVerdict = z.object({
  pass: z.boolean(),
  rules: z.array(z.object({ name: z.string(), triggered: z.boolean() })),
});

export const SyncLogResult = z
  .object({
    ok: z.literal(true),
    id: z.string(),
    status: z.enum(LOG_STATUSES),
    verdict: SyncVerdict,
    confidenceScore: z.number().nullable(),
    explanation: z.string().nullable(),
  })
  .meta({ id: "LogVerdict" });
export type SyncLogResult = z.infer<typeof SyncLogResult>;

export const CreateLogResponse = z.union([SyncLogResult, AsyncLogAccepted]);

/** A step's answer: with `final` and `sync`, also the verdict fields of a sync log (`status: pending` past the gate's timeout). */
export const AddStepResponse = StepAdded.extend({
  id: z.string().optional(),
  status: z.enum(LOG_STATUSES).optional(),
  verdict: SyncVerdict.optional(),
  confidenceScore: z.number().nullable().optional(),
  explanation: z.string().nullable().optional(),
}).meta({ id: "StepAnswer" });
export type AddStepResponse = z.infer<typeof AddStepResponse>;
export type CreateLogResponse = z.infer<typeof CreateLogResponse>;

// ---------- stored logs ----------

export const AppliedRule = z.object({
  ruleId: z.string(),
  ruleName: z.string(),
  ruleType: z.enum(RULE_TYPES),
  ruleValue: z.string(),
  scope: z.enum(RULE_SCOPES),
  outcome: z.enum(RULE_OUTCOMES),
  explanation: z.string().optional(),
  /** LLM judges only: the judge's confidence (0–1). */
  confidence: z.number().optional(),
});
export type AppliedRule = z.infer<typeof AppliedRule>;

export const StoredAttachment = z.object({
  /** `workspaceId/logId/N-filename`: the media key. */
  key: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number(),
  /** Hex SHA-256 of the stored bytes. */
  sha256: z.string().optional(),
  sourceUrl: z.string().optional(),
});
export type StoredAttachment = z.infer<typeof StoredAttachment>;

/** An attachment as the API shows it: `url` is `/api/media/<key>`, which redirects to a short-lived signed link. */
export const LogAttachment = StoredAttachment.extend({ url: z.string() });
export type LogAttachment = z.infer<typeof LogAttachment>;

const StoredInput = z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]);

export const LogListItem = z
  .object({
    id: z.string(),
    timestamp: z.string(),
    projectId: z.string(),
    projectName: z.string(),
    taskName: z.string().nullable(),
    sessionId: z.string().nullable(),
    subjectId: z.string().nullable(),
    actorId: z.string().nullable(),
    model: z.string().nullable(),
    status: z.enum(LOG_STATUSES),
    latencyMs: z.number().nullable(),
    costUsd: z.number().nullable(),
    verdict: z.enum(VERDICTS).nullable(),
    confidenceScore: z.number().nullable(),
    humanDecision: z.enum(HUMAN_DECISIONS).nullable(),
    decidedAt: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decisionSource: z.string().nullable(),
    callbackUrl: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    tags: z.array(z.string()),
    input: StoredInput.nullable(),
    output: z.string(),
    explanation: z.string().nullable(),
    sessionTurnCount: z.number().int(),
  })
  .meta({ id: "LogListItem" });
export type LogListItem = z.infer<typeof LogListItem>;

export const LogDetail = LogListItem.extend({
  workspaceId: z.string(),
  userId: z.string().nullable(),
  inputText: z.string().nullable(),
  confidence: z.number().nullable(),
  callbackEvents: z.enum(CALLBACK_EVENTS),
  attachments: z.array(LogAttachment),
  appliedRules: z.array(AppliedRule),
  evaluatedAt: z.string().nullable(),
  createdAt: z.string(),
  /** The trace this log was posted from (its `traceparent`): open it with GET /api/traces/:traceId. */
  linkedTrace: z.object({ traceId: z.string(), spanId: z.string().nullable() }).nullable(),
}).meta({ id: "Log" });
export type LogDetail = z.infer<typeof LogDetail>;

// ---------- GET /api/logs ----------

const queryBoolean = (field: string) =>
  z
    .enum(["true", "false", "1", "0"], { error: () => `${field} must be true or false` })
    .transform((v) => v === "true" || v === "1")
    .optional();

const queryInt = (field: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, { error: `${field} must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `${field} must be at least ${min}` })
        .max(max, { error: `${field} must be at most ${max}` }),
    );

const queryText = (field: string) =>
  z
    .string({ error: () => `${field} must be given once, as text` })
    .max(LIMITS.queryChars, { error: `${field} must be at most ${LIMITS.queryChars} characters` })
    .optional();

/** A list cursor's length at most: base64url of the last row's sort value (a project name or model of 200 characters, JSON-escaped), timestamp and id. */
export const LIST_CURSOR_CHARS = 4_000;
/** How many matching logs the list counts at most for filters the rollups cannot answer (`totalExact`). */
export const LIST_EXACT_COUNT = 1_000;

export const ListLogsQuery = z
  .object({
    pending: queryBoolean("pending"),
    status: enumOf("status", LOG_STATUSES).optional(),
    project: queryText("project"),
    task: queryText("task"),
    sessionId: queryText("sessionId"),
    subjectId: queryText("subjectId"),
    actorId: queryText("actorId"),
    q: queryText("q"),
    tags: z
      .string({ error: () => "tags must be one comma-separated text" })
      .max(LIMITS.tags * (LIMITS.tagChars + 1))
      .transform((v) =>
        v
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string()).max(LIMITS.tags, { error: `at most ${LIMITS.tags} tags` }))
      .optional(),
    from: isoDateTime("from").optional(),
    to: isoDateTime("to").optional(),
    sortBy: enumOf("sortBy", LOG_SORT_KEYS).default("timestamp"),
    sortDir: enumOf("sortDir", SORT_DIRECTIONS).default("desc"),
    page: queryInt("page", 1, 1_000_000).default(1),
    limit: queryInt("limit", 1, LIMITS.pageSizeMax).default(LIMITS.pageSizeDefault),
    /** The `nextCursor` of a previous answer (same sortBy and sortDir): the page after it, read by index. */
    cursor: z
      .string({ error: () => "cursor must be given once, as the nextCursor of a previous answer" })
      .max(LIST_CURSOR_CHARS, { error: "cursor is not a nextCursor of a previous answer" })
      .optional()
      .meta({ description: "The nextCursor of a previous answer with the same sortBy and sortDir: the page after it (page must be 1)" }),
    /** Typed filters (the trace search's language), JSON-encoded. */
    filters: TraceFiltersParam.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { error: "from must be before to", path: ["from"] })
  .refine((q) => q.cursor === undefined || q.page === 1, {
    error: "page cannot be combined with cursor: the cursor says where to go on",
    path: ["page"],
  });
export type ListLogsQuery = z.output<typeof ListLogsQuery>;

export const LogsSummary = z.object({
  totalRuns: z.number().int(),
  failuresDetected: z.number().int(),
  pendingReviews: z.number().int(),
  successRate: z.number(),
});

export const ListLogsResponse = z
  .object({
    executions: z.array(LogListItem),
    total: z.number().int(),
    /**
     * Whether `total` and `summary` count every matching log. False only when LIST_EXACT_COUNT or more
     * logs match a filter the rollups cannot answer (q, tags, ids, typed filters): then they count that
     * many of them, and `total` is a lower bound; or when that count ran out of its time budget.
     */
    totalExact: z.boolean().meta({
      description: `False when ${LIST_EXACT_COUNT} or more logs match a filter the rollups cannot answer (q, tags, sessionId, subjectId, actorId, filters): total and summary then count only ${LIST_EXACT_COUNT} of them (total is a lower bound). Also false when counting them ran out of its time budget (TRACIRA_LIST_COUNT_BUDGET_MS) before the last page: total is then the logs up to and on this page, and summary describes this page`,
    }),
    page: z.number().int(),
    limit: z.number().int(),
    /** The next page by index (pass it as `cursor` with the same sort); null on the last page. */
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as cursor (with the same sortBy and sortDir) for the next page; null on the last page" }),
    summary: LogsSummary,
  })
  .meta({ id: "LogList" });
export type ListLogsResponse = z.infer<typeof ListLogsResponse>;

export const LogStatusResponse = z
  .object({
    id: z.string(),
    status: z.enum(LOG_STATUSES),
    verdict: z.enum(VERDICTS).nullable(),
    confidenceScore: z.number().nullable(),
    explanation: z.string().nullable(),
    humanDecision: z.enum(HUMAN_DECISIONS).nullable(),
  })
  .meta({ id: "LogStatus" });

// ---------- decisions ----------

export const DecisionBody = z.object({
  decision: z
    .string({
      error: (iss) => (iss.input === undefined ? "decision is required: approved or rejected" : "decision must be approved or rejected"),
    })
    .trim()
    .toLowerCase()
    .pipe(enumOf("decision", HUMAN_DECISIONS)),
  decidedBy: optionalText("decidedBy", LIMITS.shortFieldChars),
  source: optionalText("source", 50),
});
export const DecisionResponse = z.object({ ok: z.literal(true), decidedBy: z.string() });

export const BulkBody = z.object({
  ids: z
    .array(z.string().min(1).max(LIMITS.shortFieldChars), {
      error: (iss) => (iss.input === undefined ? "ids is required: an array of log ids" : "ids must be an array of log ids"),
    })
    .min(1, { error: "ids must list at least one log id" })
    .max(LIMITS.bulkIds, { error: `ids may list at most ${LIMITS.bulkIds} logs per call` }),
  action: z
    .string({
      error: (iss) =>
        iss.input === undefined
          ? `action is required: one of ${BULK_ACTIONS.join(", ")}`
          : `action must be one of ${BULK_ACTIONS.join(", ")}`,
    })
    .trim()
    .toLowerCase()
    .pipe(enumOf("action", BULK_ACTIONS)),
  decidedBy: optionalText("decidedBy", LIMITS.shortFieldChars),
  source: optionalText("source", 50),
});
export const BulkResponse = z.object({ ok: z.literal(true), count: z.number().int() });

export const TaskNamesQuery = z.object({ project: queryText("project") });
export const TaskNamesResponse = z.array(z.string());
