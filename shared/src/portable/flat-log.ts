/**
 * A log's verdict flattened into plain fields, so a no-code Filter or Paths step can test `status`,
 * `verdict_pass` or `triggered_rules` directly, plus the log's context. The Zapier app outputs these.
 */

interface AppliedRuleLike {
  ruleName: string;
  outcome: string;
}
interface SyncVerdictLike {
  pass: boolean;
  rules: { name: string; triggered: boolean }[];
}

/** The fields a Tracira log (from an event, GET /api/logs/:id or the list) carries. */
export interface LogLike {
  id: string;
  status: string;
  timestamp?: string;
  projectName?: string;
  taskName?: string | null;
  model?: string | null;
  sessionId?: string | null;
  subjectId?: string | null;
  actorId?: string | null;
  input?: unknown;
  output?: string;
  tags?: string[];
  metadata?: Record<string, unknown> | null;
  confidenceScore?: number | null;
  explanation?: string | null;
  appliedRules?: AppliedRuleLike[];
  evaluatedAt?: string | null;
  humanDecision?: string | null;
  decidedAt?: string | null;
  decidedBy?: string | null;
  decisionSource?: string | null;
}

/** The answer of `POST /api/logs`: async `{ ok, id, status: "pending" }` or sync (gate mode) with the verdict. */
export interface LogResultLike {
  id: string;
  status: string;
  verdict?: SyncVerdictLike;
  confidenceScore?: number | null;
  explanation?: string | null;
}

/** Type aliases, not interfaces: apps pass them where plain records (`Record<string, unknown>`) are expected. */
export type FlatLogResult = {
  id: string;
  status: string;
  verdict_pass: boolean | null;
  triggered_rules: string;
  triggered_rule_count: number;
  explanation: string;
  confidence_score: number | null;
};

export type FlatLog = FlatLogResult & {
  log_id: string;
  project: string;
  task: string;
  model: string;
  session_id: string;
  subject_id: string;
  actor_id: string;
  input: string;
  output: string;
  tags: string;
  metadata: Record<string, unknown>;
  timestamp: string;
  evaluated_at: string;
  human_decision: string;
  decided_at: string;
  decided_by: string;
  decision_source: string;
};

export interface FlatField {
  key: string;
  label: string;
  type: "string" | "boolean" | "integer" | "number" | "datetime";
}

/** The fields of a flattened result, labelled (in this order). */
export const FLAT_LOG_RESULT_FIELDS: readonly FlatField[] = [
  { key: "id", label: "Log ID", type: "string" },
  { key: "status", label: "Status (pending, pass, flagged or error)", type: "string" },
  { key: "verdict_pass", label: "Verdict Passed", type: "boolean" },
  { key: "triggered_rules", label: "Triggered Rules", type: "string" },
  { key: "triggered_rule_count", label: "Triggered Rule Count", type: "integer" },
  { key: "explanation", label: "Explanation", type: "string" },
  { key: "confidence_score", label: "Confidence Score", type: "number" },
];

/** The fields of a flattened log, labelled (in this order; `metadata` stays an object). */
export const FLAT_LOG_FIELDS: readonly FlatField[] = [
  ...FLAT_LOG_RESULT_FIELDS,
  { key: "log_id", label: "Log ID (Same as ID)", type: "string" },
  { key: "project", label: "Project", type: "string" },
  { key: "task", label: "Task", type: "string" },
  { key: "model", label: "Model", type: "string" },
  { key: "session_id", label: "Session ID", type: "string" },
  { key: "subject_id", label: "Subject ID", type: "string" },
  { key: "actor_id", label: "Actor ID", type: "string" },
  { key: "input", label: "Input", type: "string" },
  { key: "output", label: "Output", type: "string" },
  { key: "tags", label: "Tags", type: "string" },
  { key: "timestamp", label: "Timestamp", type: "datetime" },
  { key: "evaluated_at", label: "Evaluated At", type: "datetime" },
  { key: "human_decision", label: "Human Decision (approved or rejected)", type: "string" },
  { key: "decided_at", label: "Decided At", type: "datetime" },
  { key: "decided_by", label: "Decided By", type: "string" },
  { key: "decision_source", label: "Decision Source", type: "string" },
];

const text = (value: unknown): string =>
  value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);

/** `pass` → true, `flagged`/`error` → false, `pending` → null. */
export const verdictPass = (status: string): boolean | null =>
  status === "pass" ? true : status === "flagged" || status === "error" ? false : null;

/** A stored log (or an event's `log`) as flat fields. */
export function flattenLog(log: LogLike): FlatLog {
  const triggered = (log.appliedRules ?? []).filter((r) => r.outcome === "triggered").map((r) => r.ruleName);
  return {
    id: log.id,
    log_id: log.id,
    status: log.status,
    verdict_pass: verdictPass(log.status),
    triggered_rules: triggered.join(", "),
    triggered_rule_count: triggered.length,
    explanation: text(log.explanation),
    confidence_score: log.confidenceScore ?? null,
    project: text(log.projectName),
    task: text(log.taskName),
    model: text(log.model),
    session_id: text(log.sessionId),
    subject_id: text(log.subjectId),
    actor_id: text(log.actorId),
    input: text(log.input),
    output: text(log.output),
    tags: (log.tags ?? []).join(", "),
    metadata: log.metadata ?? {},
    timestamp: text(log.timestamp),
    evaluated_at: text(log.evaluatedAt),
    human_decision: text(log.humanDecision),
    decided_at: text(log.decidedAt),
    decided_by: text(log.decidedBy),
    decision_source: text(log.decisionSource),
  };
}

/** The answer of `POST /api/logs` as flat fields. */
export function flattenLogResult(result: LogResultLike): FlatLogResult {
  const triggered = (result.verdict?.rules ?? []).filter((r) => r.triggered).map((r) => r.name);
  return {
    id: result.id,
    status: result.status,
    verdict_pass: result.verdict ? result.verdict.pass : verdictPass(result.status),
    triggered_rules: triggered.join(", "),
    triggered_rule_count: triggered.length,
    explanation: text(result.explanation),
    confidence_score: result.confidenceScore ?? null,
  };
}
