/**
 * What every trigger, action and search outputs: the verdict flattened into plain fields, so a Filter or
 * Paths step can test `status`, `verdict_pass` or `triggered_rules` directly, plus the log's context.
 */

interface AppliedRule {
  ruleName: string;
  outcome: string;
}
interface SyncVerdict {
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
  appliedRules?: AppliedRule[];
  evaluatedAt?: string | null;
  humanDecision?: string | null;
  decidedAt?: string | null;
  decidedBy?: string | null;
  decisionSource?: string | null;
}

export type FlatLog = {
  id: string;
  log_id: string;
  status: string;
  verdict_pass: boolean | null;
  triggered_rules: string;
  triggered_rule_count: number;
  explanation: string;
  confidence_score: number | null;
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

const text = (value: unknown) => (value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value));

const verdictPass = (status: string): boolean | null => (status === "pass" ? true : status === "flagged" || status === "error" ? false : null);

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

/** The answer of `POST /api/logs`: async `{ ok, id, status: "pending" }` or sync (gate mode) with the verdict. */
export function flattenLogResult(result: {
  id: string;
  status: string;
  verdict?: SyncVerdict;
  confidenceScore?: number | null;
  explanation?: string | null;
}) {
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

export const LOG_RESULT_SAMPLE = {
  id: "log_01J9ZQ4M8X",
  status: "flagged",
  verdict_pass: false,
  triggered_rules: "No refund promises",
  triggered_rule_count: 1,
  explanation: "No refund promises: the output contains the forbidden keyword \"refund\".",
  confidence_score: 1,
};

export const LOG_RESULT_OUTPUT_FIELDS = [
  { key: "id", label: "Log ID", type: "string" },
  { key: "status", label: "Status (pending, pass, flagged or error)", type: "string" },
  { key: "verdict_pass", label: "Verdict Passed", type: "boolean" },
  { key: "triggered_rules", label: "Triggered Rules", type: "string" },
  { key: "triggered_rule_count", label: "Triggered Rule Count", type: "integer" },
  { key: "explanation", label: "Explanation", type: "string" },
  { key: "confidence_score", label: "Confidence Score", type: "number" },
] as const;

export const LOG_SAMPLE: FlatLog = {
  ...LOG_RESULT_SAMPLE,
  log_id: "log_01J9ZQ4M8X",
  project: "Support bot",
  task: "reply",
  model: "gpt-4o-mini",
  session_id: "conv-8812",
  subject_id: "customer-1234",
  actor_id: "",
  input: "Can I get my money back?",
  output: "Sure, we will refund you in full today.",
  tags: "email, tier-1",
  metadata: { channel: "email" },
  timestamp: "2026-11-22T18:00:00.000Z",
  evaluated_at: "2026-11-22T18:00:01.000Z",
  human_decision: "",
  decided_at: "",
  decided_by: "",
  decision_source: "",
};

export const LOG_OUTPUT_FIELDS = [
  ...LOG_RESULT_OUTPUT_FIELDS,
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
] as const;
