import type { JudgeProvider, RuleTarget, RuleType, Verdict } from "@tracira/shared";
import type { SqlClient } from "../db/sql";
import type { QueueDepth } from "../metrics";
import type { Outbox } from "../deliveries/outbox";
import { LOG_RECORD_COLUMNS, logColumns, type LogRecord } from "../projections/log";
import { APPLIED_RULES_SQL, EVALUATION_RECORDSET, ruleEvaluationRows } from "../projections/rule-evaluations";
import { arrayLiteral } from "../db/array-literal";
import type { Evaluation } from "./engine";
import type { SpanRecord } from "./types";

/** A pending log as the evaluator needs it; `evalAttempts` counts this claim too. */
export type PendingLog = Pick<
  LogRecord,
  | "id"
  | "workspaceId"
  | "projectName"
  | "taskName"
  | "output"
  | "confidence"
  | "input"
  | "inputText"
  | "evalAttempts"
  | "callbackUrl"
  | "callbackEvents"
>;

/** An active rule with its scope by name, so it matches claimed logs and fresh sync logs alike. */
export interface ActiveRule {
  id: string;
  workspaceId: string;
  name: string;
  type: RuleType;
  value: string;
  projectId: string | null;
  projectName: string | null;
  taskName: string | null;
  llmJudgeProvider: JudgeProvider | null;
  llmJudgeModel: string | null;
  target: RuleTarget;
  spanKind: string | null;
  spanName: string | null;
}

const PENDING_COLUMNS = logColumns([
  "id",
  "workspaceId",
  "projectName",
  "taskName",
  "output",
  "confidence",
  "input",
  "inputText",
  "evalAttempts",
  "callbackUrl",
  "callbackEvents",
]);

/**
 * Claims up to `limit` pending logs nobody holds (no lease, or an expired one): SKIP LOCKED lets many
 * workers claim at once without waiting on each other, and the lease marks the claim for everyone else.
 */
const CLAIM = `
WITH picked AS (
  SELECT id FROM logs
  WHERE status = 'pending' AND (eval_lease_until IS NULL OR eval_lease_until < now())
  LIMIT $1
  FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE logs l SET eval_lease_until = now() + $2 * interval '1 millisecond', eval_lease_owner = $3,
    eval_attempts = l.eval_attempts + 1
  FROM picked WHERE l.id = picked.id
  RETURNING l.*
)
SELECT ${PENDING_COLUMNS} FROM claimed l JOIN projects p ON p.id = l.project_id`;

export async function claimPending(sql: SqlClient, owner: string, limit: number, leaseMs: number): Promise<PendingLog[]> {
  return sql.query<PendingLog>(CLAIM, [limit, leaseMs, owner], "tracira_claim_logs");
}

/** How many logs wait for a verdict, and for how long the oldest has. */
export async function pendingDepth(sql: SqlClient): Promise<QueueDepth> {
  const rows = await sql.query<QueueDepth>(
    `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS "oldestAgeSeconds"
     FROM logs WHERE status = 'pending'`,
  );
  return rows[0] ?? { pending: 0, oldestAgeSeconds: 0 };
}

/** Pending logs by id that this owner leased at insert time (the sync gate). */
export async function loadOwnPending(sql: SqlClient, owner: string, ids: string[]): Promise<PendingLog[]> {
  return sql.query<PendingLog>(
    `SELECT ${PENDING_COLUMNS} FROM logs l JOIN projects p ON p.id = l.project_id
     WHERE l.id = ANY($1::text[]) AND l.status = 'pending' AND l.eval_lease_owner = $2`,
    [arrayLiteral(ids), owner],
    "tracira_load_own_pending",
  );
}

/** Extends this owner's leases on logs still being evaluated. */
export async function renewLeases(sql: SqlClient, owner: string, ids: string[], leaseMs: number): Promise<void> {
  await sql.query(
    `UPDATE logs SET eval_lease_until = now() + $3 * interval '1 millisecond'
     WHERE id = ANY($1::text[]) AND eval_lease_owner = $2 AND status = 'pending'`,
    [arrayLiteral(ids), owner, leaseMs],
  );
}

/** Gives up this owner's leases (graceful stop) so another worker takes the logs at once. */
export async function releaseLeases(sql: SqlClient, owner: string, ids: string[]): Promise<void> {
  await sql.query(
    `UPDATE logs SET eval_lease_until = NULL, eval_lease_owner = NULL
     WHERE id = ANY($1::text[]) AND eval_lease_owner = $2 AND status = 'pending'`,
    [arrayLiteral(ids), owner],
  );
}

const ACTIVE_RULES = `
SELECT r.id, r.workspace_id, r.name, r.type, r.value, r.project_id, p.name AS project_name, r.task_name,
  r.llm_judge_provider, r.llm_judge_model, r.target, r.span_kind, r.span_name
FROM rules r LEFT JOIN projects p ON p.id = r.project_id
WHERE r.workspace_id = ANY($1::uuid[]) AND r.is_active
ORDER BY r.created_at, r.id`;

export async function loadActiveRules(sql: SqlClient, workspaceIds: string[]): Promise<ActiveRule[]> {
  const rows = await sql.query<{
    id: string;
    workspace_id: string;
    name: string;
    type: RuleType;
    value: string;
    project_id: string | null;
    project_name: string | null;
    task_name: string | null;
    llm_judge_provider: JudgeProvider | null;
    llm_judge_model: string | null;
    target: RuleTarget;
    span_kind: string | null;
    span_name: string | null;
  }>(ACTIVE_RULES, [arrayLiteral(workspaceIds)], "tracira_active_rules");
  return rows.map((r) => ({
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    type: r.type,
    value: r.value,
    projectId: r.project_id,
    projectName: r.project_name,
    taskName: r.task_name,
    llmJudgeProvider: r.llm_judge_provider,
    llmJudgeModel: r.llm_judge_model,
    target: r.target,
    spanKind: r.span_kind,
    spanName: r.span_name,
  }));
}

/** The spans of these traces as span rules read them, each trace's in tree order. */
export async function loadTraceSpans(sql: SqlClient, traceIds: string[]): Promise<Map<string, SpanRecord[]>> {
  const byTrace = new Map<string, SpanRecord[]>();
  if (!traceIds.length) return byTrace;
  const rows = await sql.query<SpanRecord & { trace_id: string }>(
    `SELECT trace_id, id, kind, name, input, output FROM spans WHERE trace_id = ANY($1::text[]) ORDER BY trace_id, dotted_order, id`,
    [arrayLiteral(traceIds)],
    "tracira_rule_spans",
  );
  for (const { trace_id: traceId, ...span } of rows) {
    const spans = byTrace.get(traceId);
    if (spans) spans.push(span);
    else byTrace.set(traceId, [span]);
  }
  return byTrace;
}

export interface FinalResult {
  log: PendingLog;
  evaluation: Evaluation;
}

/**
 * Writes final results and their rule evaluations in one statement. `status = 'pending'` in the WHERE makes
 * the write happen once: a worker that lost its lease and finishes late changes nothing, and its rule
 * evaluations join only the logs this statement finalized.
 */
const FINALIZE = `
WITH finalized AS (
  UPDATE logs l SET status = u.status::log_status, verdict = u.status::log_status, confidence_score = u.score,
    explanation = u.explanation, evaluated_at = now(), updated_at = now(), eval_lease_until = NULL, eval_lease_owner = NULL
  FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[]) AS u(id, status, score, explanation)
  WHERE l.id = u.id AND l.status = 'pending'
  RETURNING l.id, l.workspace_id
), recorded AS (
  INSERT INTO evaluations (id, trace_id, span_id, workspace_id, evaluator, evaluator_version, name, score, label, reason, metadata, position)
  SELECT e.id, f.id, e.span_id, f.workspace_id, e.evaluator, e.evaluator_version, e.name, e.score, e.label, e.reason, e.metadata, e.position
  FROM jsonb_to_recordset($5::jsonb) AS ${EVALUATION_RECORDSET} JOIN finalized f ON f.id = e.trace_id
  ON CONFLICT (trace_id, id) DO NOTHING
)
SELECT id FROM finalized`;

/** The finalized logs as committed, for their `log.evaluated` events (a new statement sees the rows above). */
const FINALIZED_RECORDS = `SELECT ${LOG_RECORD_COLUMNS} FROM logs l JOIN projects p ON p.id = l.project_id WHERE l.id = ANY($1::text[])`;

/**
 * Writes the final results; returns the ids this call finalized. When a log's event has a target (its
 * callback, a hook, Slack…), the write and the event's deliveries commit in one transaction; when none
 * has, which is the common case, it is one statement as before. The settings are read just before: a
 * subscription committed before that read is served.
 */
export async function finalize(sql: SqlClient, results: readonly FinalResult[], outbox: Outbox): Promise<Set<string>> {
  const column = (value: (r: FinalResult) => string | number) => arrayLiteral(results.map(value));
  const params = [
    column((r) => r.log.id),
    column((r) => r.evaluation.status satisfies Verdict),
    column((r) => r.evaluation.confidenceScore),
    column((r) => r.evaluation.explanation),
    JSON.stringify(
      results.flatMap((r) => ruleEvaluationRows(r.log.id, r.evaluation.appliedRules, r.evaluation.judgedBy, r.evaluation.spanOutcomes)),
    ),
  ];
  const settings = await outbox.settingsFor(
    sql,
    results.map((r) => r.log.workspaceId),
  );
  const listened = results.some(({ log, evaluation }) =>
    outbox.hasTargets("log.evaluated", { ...log, status: evaluation.status }, settings.get(log.workspaceId)),
  );
  if (!listened) {
    const rows = await sql.query<{ id: string }>(FINALIZE, params, "tracira_finalize_logs");
    return new Set(rows.map((r) => r.id));
  }
  const { ids, recorded } = await sql.transaction(async (tx) => {
    const finalized = await tx.query<{ id: string }>(FINALIZE, params, "tracira_finalize_logs");
    const rows = finalized.length
      ? await tx.query<LogRecord>(FINALIZED_RECORDS, [arrayLiteral(finalized.map((r) => r.id))], "tracira_finalized_records")
      : [];
    const recorded = await outbox.record(
      tx,
      rows.map((row) => ({ type: "log.evaluated" as const, row })),
      settings,
    );
    return { ids: new Set(rows.map((r) => r.id)), recorded };
  });
  outbox.recorded(recorded);
  return ids;
}

/** A final log's stored evaluation; undefined while it is pending (or gone). */
export async function loadStoredResult(sql: SqlClient, id: string): Promise<Evaluation | undefined> {
  const rows = await sql.query<{ status: string; confidence_score: number | null; explanation: string | null; applied_rules: unknown }>(
    `SELECT status, confidence_score, explanation, ${APPLIED_RULES_SQL} AS applied_rules FROM logs l WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row || row.status === "pending") return undefined;
  return {
    status: row.status as Verdict,
    confidenceScore: row.confidence_score ?? 1,
    explanation: row.explanation ?? "",
    appliedRules: Array.isArray(row.applied_rules) ? (row.applied_rules as Evaluation["appliedRules"]) : [],
  };
}

/**
 * The lease owner of a trace sent in parts (OTLP, LangSmith) whose root span has not ended: nobody evaluates
 * it until the root has ended (and the hold is lifted) or the hold runs out, when the worker evaluates what it has.
 */
export const AWAITING_ROOT = "otlp:awaiting-root";

/**
 * The lease owners of a log created with `awaitFinalStep`: nobody evaluates it until its final step comes or
 * the hold runs out. A log created without an output waits under the second, and its steps bring the output.
 */
export const AWAITING_FINAL_STEP = "steps:awaiting-final";
export const AWAITING_FINAL_STEP_OUTPUT = "steps:awaiting-final-output";

/** Holds that are not a process's lease: a restart keeps them. */
const HOLDS = [AWAITING_ROOT, AWAITING_FINAL_STEP, AWAITING_FINAL_STEP_OUTPUT];

/**
 * Clears every evaluation lease (but not the holds: an OTLP trace waiting for its root, a log waiting for its final
 * step). Only for the embedded database, which one process owns at a time (the data-folder lock): any lease found at start belonged to a process that died, so waiting it out is pointless.
 */
export async function clearStaleLeases(sql: SqlClient): Promise<number> {
  const rows = await sql.query(
    `UPDATE logs SET eval_lease_until = NULL, eval_lease_owner = NULL
     WHERE status = 'pending' AND eval_lease_owner IS NOT NULL AND eval_lease_owner <> ALL($1::text[]) RETURNING id`,
    [HOLDS],
  );
  return rows.length;
}
