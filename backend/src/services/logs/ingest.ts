import { randomUUID } from "node:crypto";
import type { CreateLogInput, CreateLogResponse } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../http/errors";

/**
 * Stores one log as `pending` in a single statement: the project and task are created on first use
 * in the same round trip, so an accepted log is durable before the answer and nothing is half-written.
 */
const INSERT_LOG = `
WITH new_project AS (
  INSERT INTO projects (id, workspace_id, name) VALUES ($3::uuid, $1::uuid, $2)
  ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id
), project AS (
  SELECT id FROM new_project
  UNION ALL SELECT id FROM projects WHERE workspace_id = $1::uuid AND name = $2
  LIMIT 1
), new_task AS (
  INSERT INTO tasks (id, workspace_id, project_id, name)
  SELECT $4::uuid, $1::uuid, project.id, $6 FROM project WHERE $6::text IS NOT NULL
  ON CONFLICT (project_id, name) DO NOTHING
)
INSERT INTO logs (
  id, workspace_id, project_id, task_name, timestamp, session_id, subject_id, actor_id, model,
  latency_ms, cost_usd, confidence, input, input_text, output, metadata, tags, attachments,
  callback_url, callback_events
)
SELECT $5, $1::uuid, project.id, $6, COALESCE($7::timestamptz, now()), $8, $9, $10, $11,
  $12, $13, $14, $15::jsonb, $16, $17, $18::jsonb, COALESCE($19::text[], '{}'), $20::jsonb,
  $21, $22::callback_events
FROM project
ON CONFLICT (id) DO NOTHING
RETURNING id`;

const jsonOrNull = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export interface IngestContext {
  workspaceId: string;
}

export class LogIngestService {
  constructor(private readonly sql: SqlClient) {}

  async ingest(ctx: IngestContext, body: CreateLogInput): Promise<CreateLogResponse> {
    if (body.attachments?.length) {
      // Refused rather than dropped: until attachments are stored durably, accepting them would lose them.
      throw ApiError.invalid("This server does not store attachments yet; send the log without attachments.", {
        attachments: "not supported by this server version",
      });
    }
    const id = body.id ?? randomUUID();
    if (body.id) {
      const existing = await this.existing(ctx, body.id);
      if (existing) return existing;
    }
    const params = [
      ctx.workspaceId,
      body.project,
      randomUUID(),
      randomUUID(),
      id,
      body.task ?? null,
      body.timestamp ?? null,
      body.sessionId ?? null,
      body.subjectId ?? null,
      body.actorId ?? null,
      body.model ?? null,
      body.latencyMs ?? null,
      body.costUsd ?? null,
      body.confidence ?? null,
      jsonOrNull(body.input),
      body.inputText ?? null,
      body.output,
      jsonOrNull(body.metadata),
      body.tags ?? null,
      null, // attachments are stored by the attachment pipeline
      body.callbackUrl ?? null,
      body.callbackEvents,
    ];
    // A concurrent first use of the same project can hide the new row from this statement's snapshot
    // (ON CONFLICT waits, then the SELECT misses it); a second run sees it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const rows = await this.sql.query<{ id: string }>(INSERT_LOG, params);
      if (rows.length > 0) return { ok: true, id, status: "pending" };
      if (body.id) {
        const existing = await this.existing(ctx, body.id);
        if (existing) return existing;
      }
    }
    throw new Error("log insert returned no row after retries");
  }

  /** The stored state of a caller-supplied id: its own log's status, or a conflict. */
  private async existing(ctx: IngestContext, id: string): Promise<CreateLogResponse | undefined> {
    const rows = await this.sql.query<{ workspace_id: string; status: CreateLogResponse["status"] }>(
      `SELECT workspace_id, status FROM logs WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.workspace_id !== ctx.workspaceId) {
      throw ApiError.conflict(`The log id "${id}" is already taken. Use another id, or omit id to let Tracira pick one.`, {
        id: "already taken",
      });
    }
    return { ok: true, id, status: row.status };
  }
}
