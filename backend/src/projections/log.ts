import {
  EventLog,
  type AppliedRule,
  type LogAttachment,
  type LogDetail,
  type LogListItem,
  type StoredAttachment,
  type SyncLogResult,
  type Verdict,
} from "@tracira/shared";
import type { Log } from "../generated/prisma/client";
import { asArray, isoOrNull } from "../lib/values";
import { mediaPath } from "../media/media-keys";
import { APPLIED_RULES_SQL } from "./rule-evaluations";

/**
 * The one row type of `logs`: every column as Prisma and the raw-SQL paths read it (camelCase), with
 * its project's name. The list item, the detail, the event payload and the evaluator's view of a log
 * are all derived from it here.
 */
export type LogRecord = Omit<Log, JsonColumn> & { [K in JsonColumn | "appliedRules"]: unknown } & { projectName: string };
/** Read as whatever JSON was stored: pg parses it, and each projection says what it expects there. */
type JsonColumn = "input" | "metadata" | "attachments";

/** `logs` column (alias `l`, its project `p`) behind each field of a record. */
const COLUMNS: { [K in keyof LogRecord]-?: string } = {
  id: "l.id",
  workspaceId: "l.workspace_id",
  projectId: "l.project_id",
  projectName: "p.name",
  taskName: "l.task_name",
  userId: "l.user_id",
  timestamp: "l.timestamp",
  createdAt: "l.created_at",
  updatedAt: "l.updated_at",
  sessionId: "l.session_id",
  subjectId: "l.subject_id",
  actorId: "l.actor_id",
  model: "l.model",
  latencyMs: "l.latency_ms",
  costUsd: "l.cost_usd",
  confidence: "l.confidence",
  input: "l.input",
  inputText: "l.input_text",
  output: "l.output",
  metadata: "l.metadata",
  tags: "l.tags",
  attachments: "l.attachments",
  callbackUrl: "l.callback_url",
  callbackEvents: "l.callback_events",
  status: "l.status",
  verdict: "l.verdict",
  confidenceScore: "l.confidence_score",
  explanation: "l.explanation",
  /** Not a column: rebuilt from the log's rule evaluations. */
  appliedRules: APPLIED_RULES_SQL,
  evaluatedAt: "l.evaluated_at",
  evalLeaseUntil: "l.eval_lease_until",
  evalLeaseOwner: "l.eval_lease_owner",
  evalAttempts: "l.eval_attempts",
  humanDecision: "l.human_decision",
  decidedAt: "l.decided_at",
  decidedBy: "l.decided_by",
  decisionSource: "l.decision_source",
  traceName: "l.trace_name",
  agentId: "l.agent_id",
  runnerId: "l.runner_id",
  threadId: "l.thread_id",
  runId: "l.run_id",
  traceStatus: "l.trace_status",
  spanCount: "l.span_count",
  errorCount: "l.error_count",
  llmCallCount: "l.llm_call_count",
  toolCallCount: "l.tool_call_count",
  totalInputTokens: "l.total_input_tokens",
  totalOutputTokens: "l.total_output_tokens",
  totalCostUsd: "l.total_cost_usd",
  startedAt: "l.started_at",
  endedAt: "l.ended_at",
  linkedTraceId: "l.linked_trace_id",
  linkedSpanId: "l.linked_span_id",
};

/** A SELECT/RETURNING list that reads these fields of `logs l JOIN projects p` as a (partial) LogRecord. */
export function logColumns(fields: readonly (keyof LogRecord)[] = Object.keys(COLUMNS) as (keyof LogRecord)[]): string {
  return fields.map((field) => `${COLUMNS[field]} AS "${field}"`).join(", ");
}

/** Every column: what the statements that change a log return for its event. */
export const LOG_RECORD_COLUMNS = logColumns();

/** A log as list views read it: every field but `appliedRules` (detail views read that through LOG_RECORD_COLUMNS). */
export type LogListRecord = Omit<LogRecord, "appliedRules">;

/** The SELECT list of a LogListRecord. */
export const LOG_LIST_COLUMNS = logColumns((Object.keys(COLUMNS) as (keyof LogRecord)[]).filter((field) => field !== "appliedRules"));

export function toListItem(r: LogListRecord, sessionTurnCount: number): LogListItem {
  return {
    id: r.id,
    timestamp: isoOrNull(r.timestamp)!,
    projectId: r.projectId,
    projectName: r.projectName,
    taskName: r.taskName,
    sessionId: r.sessionId,
    subjectId: r.subjectId,
    actorId: r.actorId,
    model: r.model,
    status: r.status,
    latencyMs: r.latencyMs,
    costUsd: r.costUsd,
    verdict: r.verdict === "pending" ? null : r.verdict,
    confidenceScore: r.confidenceScore,
    humanDecision: r.humanDecision,
    decidedAt: isoOrNull(r.decidedAt),
    decidedBy: r.decidedBy,
    decisionSource: r.decisionSource,
    callbackUrl: r.callbackUrl,
    metadata: (r.metadata as Record<string, unknown> | null) ?? null,
    tags: r.tags ?? [],
    input: (r.input as LogListItem["input"]) ?? null,
    output: r.output,
    explanation: r.explanation,
    sessionTurnCount,
  };
}

export function toDetail(r: LogRecord, sessionTurnCount: number): LogDetail {
  return {
    ...toListItem(r, sessionTurnCount),
    workspaceId: r.workspaceId,
    userId: r.userId,
    inputText: r.inputText,
    confidence: r.confidence,
    callbackEvents: r.callbackEvents,
    attachments: toLogAttachments(r.attachments),
    appliedRules: asArray<AppliedRule>(r.appliedRules),
    evaluatedAt: isoOrNull(r.evaluatedAt),
    createdAt: isoOrNull(r.createdAt)!,
    linkedTrace: r.linkedTraceId ? { traceId: r.linkedTraceId, spanId: r.linkedSpanId } : null,
  };
}

const EVENT_LOG_FIELDS = Object.keys(EventLog.shape) as (keyof EventLog)[];

/** The log as events carry it: the detail's fields that the EventLog contract picks. */
export function toEventLog(r: LogRecord): EventLog {
  const detail = toDetail(r, 0);
  return Object.fromEntries(EVENT_LOG_FIELDS.map((field) => [field, detail[field]])) as EventLog;
}

/** `verdict` as the sync answer and every event carry it. */
export function verdictOf(status: Verdict, appliedRules: readonly AppliedRule[]): SyncLogResult["verdict"] {
  return { pass: status === "pass", rules: appliedRules.map((r) => ({ name: r.ruleName, triggered: r.outcome === "triggered" })) };
}

/** Stored attachments as the API and events show them, each with the media URL that redirects to a signed link. */
export const toLogAttachments = (stored: unknown): LogAttachment[] =>
  asArray<StoredAttachment>(stored).map((attachment) => ({ ...attachment, url: mediaPath(attachment.key) }));
