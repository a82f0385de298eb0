import { randomUUID } from "node:crypto";
import type { CreateLogInput, CreateLogResponse } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import type { SyncGate } from "../../evaluation/sync-gate";
import { ApiError } from "../../lib/api-error";
import { assertUnderCap } from "../../lib/caps";
import { prepareSpans } from "../traces/spans";
import { insertSpans } from "../traces/spans";
import { writeTrace, type TraceWrite } from "../traces/write";
import type { UrlGuard } from "../../outbound";
import type { AttachmentService } from "../attachments";
import { checkOutboundUrl } from "../outbound-check";
import { insertLogs, rowWeight, toLogInsert, type LogInsert } from "./batch-insert";
import { GroupCommit } from "../../lib/group-commit";
import type { EvaluationWorker } from "../../evaluation/worker";
import { AWAITING_FINAL_STEP, AWAITING_FINAL_STEP_OUTPUT } from "../../evaluation/store";

export interface IngestContext {
  workspaceId: string;
}

/** Whether this call stored the row, or found it already stored under its id. */
interface Stored {
  id: string;
  status: CreateLogResponse["status"];
  inserted: boolean;
}

/**
 * Group commit for logs without a caller id: while one batch INSERT is in flight, new logs queue and go
 * together in the next one (one statement, one commit). One batch in flight measured as well as two;
 * the bounds keep one statement to a few megabytes.
 */
const BATCH_LIMITS = { concurrency: 1, maxItems: 500, maxWeight: 4_000_000, weight: rowWeight };

export class LogIngestService {
  private readonly batches = new GroupCommit<LogInsert, Stored>((rows) => this.flush(rows), BATCH_LIMITS);

  /**
   * @param gate evaluates `sync: true` logs inline.
   * @param attachments stores attachments before the row is written.
   * @param guard checks `callbackUrl` when the log is written.
   * @param worker the in-process evaluation worker: new async logs are stored with its lease when it takes
   *   them (handed over without a claim), else it is woken to claim them.
   * @param finalStepWaitMs how long a log created with `awaitFinalStep` is held for its final step.
   */
  constructor(
    private readonly sql: SqlClient,
    private readonly gate: SyncGate,
    private readonly attachments: AttachmentService,
    private readonly guard: UrlGuard,
    private readonly worker: Pick<EvaluationWorker, "leaseForNew" | "adopt" | "notify">,
    private readonly finalStepWaitMs: number,
    private readonly maxProjects: number = Number.POSITIVE_INFINITY,
  ) {}

  async ingest(ctx: IngestContext, body: CreateLogInput): Promise<CreateLogResponse> {
    // A caller-supplied id already stored answers with its stored state (or 409 when another workspace
    // holds it), and stores nothing again.
    const known = body.id ? await this.existing(this.sql, ctx, body.id) : undefined;
    if (known) return body.sync ? this.gate.answerFor(known.id) : { ok: true, id: known.id, status: known.status };
    const { stored, row, rules } = await this.store(ctx, body);

    if (!body.sync) {
      if (stored.inserted && !body.awaitFinalStep) {
        if (row.lease) this.worker.adopt([row.id]);
        else this.worker.notify();
      }
      return { ok: true, id: stored.id, status: stored.status };
    }
    if (!stored.inserted) return this.gate.answerFor(stored.id);
    return this.gate.evaluate(
      {
        id: row.id,
        workspaceId: row.workspaceId,
        projectName: row.project,
        taskName: row.task,
        output: row.output,
        confidence: row.confidence,
        input: body.input ?? null,
        inputText: row.inputText,
        evalAttempts: 1,
        callbackUrl: body.callbackUrl ?? null,
        callbackEvents: body.callbackEvents,
      },
      rules,
    );
  }

  /**
   * Checks the callback URL, stores the attachments under the log's id, then the row with them; when
   * the row is not written (an error, or the same caller id stored concurrently by another request) the
   * files this call stored are removed.
   */
  private async store(
    ctx: IngestContext,
    body: CreateLogInput,
  ): Promise<{ stored: Stored; row: LogInsert; rules: ReturnType<SyncGate["prefetchRules"]> | undefined }> {
    if (body.callbackUrl) await checkOutboundUrl(this.guard, body.callbackUrl, "callbackUrl");
    // Spans are checked (and their tree settled) before anything is stored: all or nothing.
    const trace: TraceWrite | undefined =
      body.spans?.length || body.trace || body.traceparent
        ? { spans: body.spans?.length ? prepareSpans(body.spans) : [], fields: body.trace, link: body.traceparent }
        : undefined;
    const id = body.id ?? randomUUID();
    const attachments = body.attachments?.length ? await this.attachments.storeAll(ctx.workspaceId, id, body.attachments) : [];
    const lease = body.sync
      ? { owner: this.gate.owner, ms: this.gate.leaseMs }
      : body.awaitFinalStep
        ? { owner: body.output ? AWAITING_FINAL_STEP : AWAITING_FINAL_STEP_OUTPUT, ms: this.finalStepWaitMs }
        : this.worker.leaseForNew();
    const rules = body.sync ? this.gate.prefetchRules(ctx.workspaceId) : undefined;
    const row = toLogInsert(ctx.workspaceId, id, body, lease, attachments);
    let stored: Stored;
    try {
      stored = body.id || trace ? await this.insertOne(ctx, row, trace) : await this.batches.submit(row);
    } catch (err) {
      // Keep the files when the row may have been written after all (the connection dropped at commit).
      const first = attachments[0];
      if (first) {
        const written = await this.attachments.isAttached(ctx.workspaceId, id, first.key).catch(() => true);
        if (!written) await this.attachments.remove(attachments);
      }
      throw err;
    }
    if (!stored.inserted) await this.attachments.remove(attachments);
    return { stored, row, rules };
  }

  /**
   * Answers each row of a batch once its row is committed. Rows the batch did not store (a project
   * created concurrently, or the whole statement failed) are stored one by one with the same id, so a
   * bad row fails alone and a row is never stored twice (a batch whose outcome is unknown, e.g. the
   * connection dropped, is found by id).
   */
  private async flush(rows: LogInsert[]): Promise<PromiseSettledResult<Stored>[]> {
    const stored = await insertLogs(this.sql, rows, this.maxProjects).catch(() => new Set<string>());
    return Promise.allSettled(
      rows.map((row) =>
        stored.has(row.id)
          ? { id: row.id, status: "pending" as const, inserted: true }
          : this.insertOne({ workspaceId: row.workspaceId }, row),
      ),
    );
  }

  /**
   * A trace that arrives in parts (OTLP exports): the first part creates its log, each later one adds its
   * spans to it; then `settle` brings the log up to date with all its spans, in the same transaction.
   * Returns whether this part created the log.
   */
  async storeTracePart(ctx: IngestContext, row: LogInsert, trace: TraceWrite, settle: (tx: SqlClient) => Promise<void>): Promise<boolean> {
    const stored = await this.insertOne(ctx, row, trace, settle);
    this.worker.notify();
    return stored.inserted;
  }

  /**
   * One log in its own transaction, locked on its id: requests sending the same caller id one after another
   * find it stored and answer it as is, and only the request that stores it creates its project and task.
   * With `settle` (a trace sent in parts) a stored log takes this part's spans instead.
   */
  private async insertOne(
    ctx: IngestContext,
    row: LogInsert,
    trace?: TraceWrite,
    settle?: (tx: SqlClient) => Promise<void>,
  ): Promise<Stored> {
    return this.sql.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [row.id]);
      const existing = await this.existing(tx, ctx, row.id);
      if (existing) {
        if (settle && trace) {
          await tx.query(`SELECT id FROM logs WHERE id = $1 FOR UPDATE`, [row.id]);
          await insertSpans(tx, row.workspaceId, row.id, trace.spans, { fields: trace.fields });
          await settle(tx);
        }
        return existing;
      }
      // A concurrent first use of the same project can hide the new row from this statement's snapshot
      // (ON CONFLICT waits, then the SELECT misses it); a second run sees it.
      for (let attempt = 0; attempt < 3; attempt++) {
        if ((await insertLogs(tx, [row], this.maxProjects)).has(row.id)) {
          if (trace) await writeTrace(tx, row.workspaceId, row.id, trace);
          if (settle) await settle(tx);
          return { id: row.id, status: "pending" as const, inserted: true };
        }
        await this.assertProjectAllowed(tx, row);
      }
      throw new Error("log insert returned no row after retries");
    });
  }

  /** A log whose project is new when the workspace already has as many projects as allowed is refused. */
  private async assertProjectAllowed(sql: SqlClient, row: LogInsert): Promise<void> {
    const [counts] = await sql.query<{ exists: boolean; count: number }>(
      `SELECT EXISTS (SELECT 1 FROM projects WHERE workspace_id = $1::uuid AND name = $2) AS exists,
              (SELECT count(*)::int FROM projects WHERE workspace_id = $1::uuid) AS count`,
      [row.workspaceId, row.project],
    );
    if (counts && !counts.exists) {
      assertUnderCap(
        counts.count,
        this.maxProjects,
        "projects",
        "TRACIRA_MAX_PROJECTS_PER_WORKSPACE",
        `send this log to an existing project instead of "${row.project}", or delete unused projects`,
      );
    }
  }

  /** The stored state of a caller-supplied id: its own log's status, or a conflict. */
  private async existing(sql: SqlClient, ctx: IngestContext, id: string): Promise<Stored | undefined> {
    const rows = await sql.query<{ workspace_id: string; status: CreateLogResponse["status"] }>(
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
    return { id, status: row.status, inserted: false };
  }
}
