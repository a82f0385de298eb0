import { randomUUID } from "node:crypto";
import type { CreateLogInput, StoredAttachment } from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import type { SqlClient } from "../../db/sql";

/** The stored values of one log, as the insert statement binds them. */
export interface LogInsert {
  id: string;
  workspaceId: string;
  project: string;
  task: string | null;
  timestamp: Date | null;
  sessionId: string | null;
  subjectId: string | null;
  actorId: string | null;
  model: string | null;
  latencyMs: number | null;
  costUsd: number | null;
  confidence: number | null;
  /** JSON text. */
  input: string | null;
  inputText: string | null;
  output: string;
  /** JSON text. */
  metadata: string | null;
  tags: string[] | null;
  callbackUrl: string | null;
  callbackEvents: string;
  /** JSON text of the stored attachments (StoredAttachment[]), or null without any. */
  attachments: string | null;
  /** Set for sync (gate) logs: the process evaluating it inline holds it from the start. */
  lease: { owner: string; ms: number } | null;
}

const jsonOrNull = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export function toLogInsert(
  workspaceId: string,
  id: string,
  body: CreateLogInput,
  lease: LogInsert["lease"] = null,
  attachments: readonly StoredAttachment[] = [],
): LogInsert {
  return {
    id,
    workspaceId,
    project: body.project,
    task: body.task ?? null,
    timestamp: body.timestamp ?? null,
    sessionId: body.sessionId ?? null,
    subjectId: body.subjectId ?? null,
    actorId: body.actorId ?? null,
    model: body.model ?? null,
    latencyMs: body.latencyMs ?? null,
    costUsd: body.costUsd ?? null,
    confidence: body.confidence ?? null,
    input: jsonOrNull(body.input),
    inputText: body.inputText ?? null,
    output: body.output,
    metadata: jsonOrNull(body.metadata),
    tags: body.tags ?? null,
    callbackUrl: body.callbackUrl ?? null,
    callbackEvents: body.callbackEvents,
    attachments: attachments.length ? JSON.stringify(attachments) : null,
    lease,
  };
}

/** About how many characters a row sends, to keep one batch statement to a few megabytes. */
export function rowWeight(row: LogInsert): number {
  const optional = (row.input?.length ?? 0) + (row.inputText?.length ?? 0) + (row.metadata?.length ?? 0) + (row.attachments?.length ?? 0);
  return 500 + row.output.length + optional;
}

/**
 * Stores one or many logs as `pending` in one statement (the only INSERT of logs: group-commit batches
 * and single logs alike). Projects and tasks are created on first use in the same statement, in a fixed
 * order so concurrent batches do not deadlock on them. Each column comes as one array; `unnest` turns
 * them back into rows.
 *
 * A new project is created only while the workspace has fewer than `maxProjects` (the cap); a row whose
 * project would pass it is not inserted either. A row whose project was created by a concurrent
 * transaction after this statement's snapshot is not inserted (ON CONFLICT waits, then the SELECT misses the project): it is missing from RETURNING and the
 * caller stores it again.
 */
const INSERT_LOGS = `
WITH input AS (
  SELECT * FROM unnest(
    $1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::timestamptz[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::float8[], $13::float8[], $14::float8[], $15::jsonb[], $16::text[],
    $17::text[], $18::jsonb[], $19::text[], $20::text[], $21::callback_events[], $22::text[], $23::int[], $24::jsonb[]
  ) AS t(id, workspace_id, project, project_id, task_id, task_name, ts, session_id, subject_id, actor_id, model,
    latency_ms, cost_usd, confidence, input, input_text, output, metadata, tags, callback_url, callback_events,
    lease_owner, lease_ms, attachments)
), new_project AS (
  INSERT INTO projects (id, workspace_id, name)
  SELECT DISTINCT ON (workspace_id, project) project_id, workspace_id, project FROM input
  WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.workspace_id = input.workspace_id AND p.name = input.project)
    AND (SELECT count(*) FROM projects p WHERE p.workspace_id = input.workspace_id) < $25
  ORDER BY workspace_id, project
  ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id, workspace_id, name
), project AS (
  SELECT id, workspace_id, name FROM new_project
  UNION ALL SELECT id, workspace_id, name FROM projects WHERE (workspace_id, name) IN (SELECT workspace_id, project FROM input)
), new_task AS (
  INSERT INTO tasks (id, workspace_id, project_id, name)
  SELECT DISTINCT ON (project.id, input.task_name) input.task_id, input.workspace_id, project.id, input.task_name
  FROM input JOIN project ON project.workspace_id = input.workspace_id AND project.name = input.project
  WHERE input.task_name IS NOT NULL
  ORDER BY project.id, input.task_name
  ON CONFLICT (project_id, name) DO NOTHING
)
INSERT INTO logs (
  id, workspace_id, project_id, task_name, timestamp, session_id, subject_id, actor_id, model,
  latency_ms, cost_usd, confidence, input, input_text, output, metadata, tags, attachments,
  callback_url, callback_events, eval_lease_owner, eval_lease_until, eval_attempts, started_at
)
SELECT input.id, input.workspace_id, project.id, input.task_name, COALESCE(input.ts, now()), input.session_id,
  input.subject_id, input.actor_id, input.model, input.latency_ms, input.cost_usd, input.confidence, input.input,
  input.input_text, input.output, input.metadata, COALESCE(input.tags::text[], '{}'), input.attachments,
  input.callback_url, input.callback_events, input.lease_owner, now() + input.lease_ms * interval '1 millisecond',
  CASE WHEN input.lease_owner IS NULL THEN 0 ELSE 1 END, COALESCE(input.ts, now())
FROM input JOIN project ON project.workspace_id = input.workspace_id AND project.name = input.project
ON CONFLICT (id) DO NOTHING
RETURNING id`;

/** Inserts the rows in one statement; returns the ids it stored (all, unless a project raced or was capped). */
export async function insertLogs(sql: SqlClient, rows: readonly LogInsert[], maxProjects: number): Promise<Set<string>> {
  const column = (value: (row: LogInsert) => string | number | null) => arrayLiteral(rows.map(value));
  const stored = await sql.query<{ id: string }>(
    INSERT_LOGS,
    [
      column((r) => r.id),
      column((r) => r.workspaceId),
      column((r) => r.project),
      column(() => randomUUID()),
      column(() => randomUUID()),
      column((r) => r.task),
      column((r) => r.timestamp?.toISOString() ?? null),
      column((r) => r.sessionId),
      column((r) => r.subjectId),
      column((r) => r.actorId),
      column((r) => r.model),
      column((r) => r.latencyMs),
      column((r) => r.costUsd),
      column((r) => r.confidence),
      column((r) => r.input),
      column((r) => r.inputText),
      column((r) => r.output),
      column((r) => r.metadata),
      column((r) => (r.tags === null ? null : arrayLiteral(r.tags))),
      column((r) => r.callbackUrl),
      column((r) => r.callbackEvents),
      column((r) => r.lease?.owner ?? null),
      column((r) => r.lease?.ms ?? null),
      column((r) => r.attachments),
      Number.isFinite(maxProjects) ? maxProjects : 2_147_483_647,
    ],
    "tracira_insert_logs",
  );
  return new Set(stored.map((r) => r.id));
}
