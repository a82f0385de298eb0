import { verdictOf } from "../evaluation/verdict-of";
import { toLogAttachments } from "../services/logs/serialize";
import type { AppliedRule, CallbackEvents, EventLog, EventPayload, EventType, HumanDecision, Verdict } from "@tracira/shared";

/**
 * The columns an event needs, as the statements that change a log return them (`RETURNING` after the
 * final status or a decision is written), so the event describes exactly the state that was committed.
 * `l` is the log and `p` its project.
 */
export const EVENT_LOG_COLUMNS = `l.id, l.workspace_id, l.project_id, p.name AS project_name, l.task_name, l.timestamp,
  l.session_id, l.subject_id, l.actor_id, l.model, l.latency_ms, l.cost_usd, l.confidence, l.input, l.output,
  l.metadata, l.tags, l.attachments, l.status, l.confidence_score, l.explanation, l.applied_rules, l.evaluated_at,
  l.human_decision, l.decided_at, l.decided_by, l.decision_source, l.callback_url, l.callback_events`;

export interface EventLogRow {
  id: string;
  workspace_id: string;
  project_id: string;
  project_name: string;
  task_name: string | null;
  timestamp: Date | string;
  session_id: string | null;
  subject_id: string | null;
  actor_id: string | null;
  model: string | null;
  latency_ms: number | null;
  cost_usd: number | null;
  confidence: number | null;
  input: unknown;
  output: string;
  metadata: Record<string, unknown> | null;
  tags: string[] | null;
  attachments: unknown;
  status: Verdict | "pending";
  confidence_score: number | null;
  explanation: string | null;
  applied_rules: unknown;
  evaluated_at: Date | string | null;
  human_decision: HumanDecision | null;
  decided_at: Date | string | null;
  decided_by: string | null;
  decision_source: string | null;
  callback_url: string | null;
  callback_events: CallbackEvents;
}

/** One state change of one log, to be delivered to every target that wants it. */
export interface LogEvent {
  type: EventType;
  row: EventLogRow;
}

/** The payload stored in the outbox; the delivery id is added when it is sent. */
export type StoredPayload = Omit<EventPayload, "deliveryId">;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

export function toEventLog(r: EventLogRow): EventLog {
  return {
    id: r.id,
    timestamp: iso(r.timestamp)!,
    projectId: r.project_id,
    projectName: r.project_name,
    taskName: r.task_name,
    sessionId: r.session_id,
    subjectId: r.subject_id,
    actorId: r.actor_id,
    model: r.model,
    latencyMs: r.latency_ms,
    costUsd: r.cost_usd,
    confidence: r.confidence,
    input: (r.input as EventLog["input"]) ?? null,
    output: r.output,
    metadata: r.metadata ?? null,
    tags: r.tags ?? [],
    attachments: toLogAttachments(r.attachments),
    status: r.status,
    confidenceScore: r.confidence_score,
    explanation: r.explanation,
    appliedRules: asArray<AppliedRule>(r.applied_rules),
    evaluatedAt: iso(r.evaluated_at),
    humanDecision: r.human_decision,
    decidedAt: iso(r.decided_at),
    decidedBy: r.decided_by,
    decisionSource: r.decision_source,
  };
}

/** The event as receivers get it: the sync answer's fields at the top, the whole log under `log`. */
export function toPayload(event: LogEvent, occurredAt: Date): StoredPayload {
  const log = toEventLog(event.row);
  const status: Verdict = log.status === "pending" ? "error" : log.status;
  return {
    event: event.type,
    occurredAt: occurredAt.toISOString(),
    workspaceId: event.row.workspace_id,
    id: log.id,
    status,
    verdict: verdictOf(status, log.appliedRules),
    confidenceScore: log.confidenceScore,
    explanation: log.explanation,
    humanDecision: log.humanDecision,
    decidedBy: log.decidedBy,
    decisionSource: log.decisionSource,
    log,
  };
}
