import type { BulkAction, HumanDecision } from "@tracira/shared";
import type { PrismaClient } from "../../db/database";
import type { Prisma } from "../../generated/prisma/client";
import type { SqlClient } from "../../db/sql";
import { LOG_RECORD_COLUMNS, type LogRecord } from "../../projections/log";
import type { Outbox } from "../../deliveries/outbox";
import { ApiError } from "../../lib/api-error";
import type { AttachmentService } from "../attachments";
import { arrayLiteral } from "../../db/array-literal";

export interface DecisionActor {
  /** Who decided: a user's name or e-mail, or what the API caller said. */
  decidedBy: string;
  /** Where: api, dashboard, n8n, zapier, make… */
  source: string;
}

/** Rows are locked first so each decision sees the one before it (an event only when the decision changes). */
const LOCK_FOR_DECISION = `SELECT id, human_decision FROM logs WHERE workspace_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`;

const DECIDE = `
UPDATE logs l SET human_decision = $3::human_decision, decided_at = now(), decided_by = $4, decision_source = $5,
  updated_at = now()
FROM projects p
WHERE l.workspace_id = $1 AND l.id = ANY($2::text[]) AND p.id = l.project_id
RETURNING ${LOG_RECORD_COLUMNS}`;

/** A changed decision is also the trace's `human` evaluation (1 approved, 0 rejected), written in the same transaction. */
const HUMAN_EVALUATION = `
INSERT INTO evaluations (id, trace_id, workspace_id, evaluator, name, score, label, metadata)
SELECT 'human:' || gen_random_uuid(), l.id, l.workspace_id, 'human', 'review', CASE WHEN $2 = 'approved' THEN 1 ELSE 0 END, $2,
  jsonb_build_object('decidedBy', $3::text, 'source', $4::text)
FROM logs l WHERE l.id = ANY($1::text[])`;

/** Human review: approve/reject one or many logs, and deletions. */
export class LogReviewService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlClient,
    private readonly outbox: Outbox,
    private readonly attachments: AttachmentService,
  ) {}

  async decide(workspaceId: string, id: string, decision: HumanDecision, actor: DecisionActor) {
    const count = await this.record(workspaceId, [id], decision, actor);
    if (count === 0) throw ApiError.notFound("Log");
    return { ok: true as const, decidedBy: actor.decidedBy };
  }

  /**
   * Writes the decision and its `log.decided` events in one transaction. Deciding again the same way
   * updates who and when, but is not a new event. Returns how many logs of the workspace matched.
   */
  private async record(workspaceId: string, ids: string[], decision: HumanDecision, actor: DecisionActor): Promise<number> {
    const { matched, recorded } = await this.sql.transaction(async (tx) => {
      const before = await tx.query<{ id: string; human_decision: HumanDecision | null }>(LOCK_FOR_DECISION, [
        workspaceId,
        arrayLiteral(ids),
      ]);
      if (!before.length) return { matched: 0, recorded: 0 };
      const previous = new Map(before.map((r) => [r.id, r.human_decision]));
      const rows = await tx.query<LogRecord>(DECIDE, [workspaceId, arrayLiteral(ids), decision, actor.decidedBy, actor.source]);
      const changed = rows.filter((r) => previous.get(r.id) !== decision);
      if (changed.length) {
        await tx.query(HUMAN_EVALUATION, [arrayLiteral(changed.map((r) => r.id)), decision, actor.decidedBy, actor.source]);
      }
      const recorded = await this.outbox.record(
        tx,
        changed.map((row) => ({ type: "log.decided" as const, row })),
      );
      return { matched: rows.length, recorded };
    });
    this.outbox.recorded(recorded);
    return matched;
  }

  async delete(workspaceId: string, id: string) {
    const count = await this.deleteLogs({ id, workspaceId });
    if (count === 0) throw ApiError.notFound("Log");
    return { ok: true as const };
  }

  /** Deletes logs and then their stored files. */
  private async deleteLogs(where: Prisma.LogWhereInput): Promise<number> {
    const files = await this.attachments.filesOf(this.prisma, where);
    const { count } = await this.prisma.log.deleteMany({ where });
    await this.attachments.remove(files);
    return count;
  }

  /** Ids of other workspaces (or unknown ids) are skipped silently: `count` says how many changed. */
  async bulk(workspaceId: string, ids: string[], action: BulkAction, actor: DecisionActor) {
    const unique = [...new Set(ids)];
    const count =
      action === "delete"
        ? await this.deleteLogs({ workspaceId, id: { in: unique } })
        : await this.record(workspaceId, unique, action === "approve" ? "approved" : "rejected", actor);
    return { ok: true as const, count };
  }
}
