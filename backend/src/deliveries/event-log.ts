import type { EventPayload, EventType, HookEvent, Verdict } from "@tracira/shared";
import { toEventLog, verdictOf, type LogRecord } from "../projections/log";

/**
 * One state change of one log, to be delivered to every target that wants it. `row` is the log as the
 * statement that changed it returned it (`RETURNING LOG_RECORD_COLUMNS`), so the event describes exactly
 * the state that was committed.
 */
export interface LogEvent {
  type: EventType;
  row: LogRecord;
}

/** The payload stored in the outbox; the delivery id is added when it is sent. */
export type StoredPayload = Omit<EventPayload, "deliveryId">;

/** The event as receivers get it: the sync answer's fields at the top, the whole log under `log`. */
export function toPayload(event: LogEvent, occurredAt: Date): StoredPayload {
  const log = toEventLog(event.row);
  const status: Verdict = log.status === "pending" ? "error" : log.status;
  return {
    event: event.type,
    hookEvent: hookEventOf(event.type, status),
    occurredAt: occurredAt.toISOString(),
    workspaceId: event.row.workspaceId,
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

const STATUS_EVENT: Record<Verdict, HookEvent> = { pass: "log.passed", flagged: "log.flagged", error: "log.error" };

/** An event in the subscription vocabulary: the evaluation's outcome, or `log.decided`. */
export function hookEventOf(type: EventType, status: Verdict): HookEvent {
  return type === "log.decided" ? "log.decided" : STATUS_EVENT[status];
}
