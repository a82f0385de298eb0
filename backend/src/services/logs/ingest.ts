import { randomUUID } from "node:crypto";
import type { CreateLogInput, CreateLogResponse } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../http/errors";
import { insertLogs, rowWeight, toLogRow, type LogRow } from "./batch-insert";
import { GroupCommit } from "./group-commit";

export interface IngestContext {
  workspaceId: string;
}

/**
 * Group commit for logs without a caller id: while one batch INSERT is in flight, new logs queue and go
 * together in the next one (one statement, one commit). One batch in flight measured as well as two;
 * the bounds keep one statement to a few megabytes.
 */
const BATCH_LIMITS = { concurrency: 1, maxItems: 500, maxWeight: 4_000_000, weight: rowWeight };

export class LogIngestService {
  private readonly batches = new GroupCommit<LogRow, CreateLogResponse>((rows) => this.flush(rows), BATCH_LIMITS);

  constructor(private readonly sql: SqlClient) {}

  async ingest(ctx: IngestContext, body: CreateLogInput): Promise<CreateLogResponse> {
    if (body.attachments?.length) {
      // Refused rather than dropped: until attachments are stored durably, accepting them would lose them.
      throw ApiError.invalid("This server does not store attachments yet; send the log without attachments.", {
        attachments: "not supported by this server version",
      });
    }
    if (!body.id) return this.batches.submit(toLogRow(ctx.workspaceId, randomUUID(), body));
    // A caller-supplied id answers with its stored state (or 409 when another workspace holds it): one log at a time.
    const existing = await this.existing(ctx, body.id);
    return existing ?? this.insertOne(ctx, toLogRow(ctx.workspaceId, body.id, body));
  }

  /**
   * Answers each row of a batch once its row is committed. Rows the batch did not store (a project
   * created concurrently, or the whole statement failed) are stored one by one with the same id, so a
   * bad row fails alone and a row is never stored twice (a batch whose outcome is unknown, e.g. the
   * connection dropped, is found by id).
   */
  private async flush(rows: LogRow[]): Promise<PromiseSettledResult<CreateLogResponse>[]> {
    const stored = await insertLogs(this.sql, rows).catch(() => new Set<string>());
    return Promise.allSettled(
      rows.map((row) =>
        stored.has(row.id)
          ? { ok: true as const, id: row.id, status: "pending" as const }
          : this.insertOne({ workspaceId: row.workspaceId }, row),
      ),
    );
  }

  /** One log in its own statement; a row already stored under its id (in this workspace) is answered as is. */
  private async insertOne(ctx: IngestContext, row: LogRow): Promise<CreateLogResponse> {
    // A concurrent first use of the same project can hide the new row from this statement's snapshot
    // (ON CONFLICT waits, then the SELECT misses it); a second run sees it.
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await insertLogs(this.sql, [row])).has(row.id)) return { ok: true, id: row.id, status: "pending" };
      const existing = await this.existing(ctx, row.id);
      if (existing) return existing;
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
