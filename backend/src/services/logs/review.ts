import type { BulkAction, HumanDecision } from "@tracira/shared";
import type { PrismaClient } from "../../db/database";
import { ApiError } from "../../http/errors";

export interface DecisionActor {
  /** Who decided: a user's name or e-mail, or what the API caller said. */
  decidedBy: string;
  /** Where: api, dashboard, n8n, zapier, make… */
  source: string;
}

/** Human review: approve/reject one or many logs, and deletions. */
export class LogReviewService {
  constructor(private readonly prisma: PrismaClient) {}

  async decide(workspaceId: string, id: string, decision: HumanDecision, actor: DecisionActor) {
    const { count } = await this.prisma.log.updateMany({
      where: { id, workspaceId },
      data: { humanDecision: decision, decidedAt: new Date(), decidedBy: actor.decidedBy, decisionSource: actor.source },
    });
    if (count === 0) throw ApiError.notFound("Log");
    return { ok: true as const, decidedBy: actor.decidedBy };
  }

  async delete(workspaceId: string, id: string) {
    const { count } = await this.prisma.log.deleteMany({ where: { id, workspaceId } });
    if (count === 0) throw ApiError.notFound("Log");
    return { ok: true as const };
  }

  /** Ids of other workspaces (or unknown ids) are skipped silently: `count` says how many changed. */
  async bulk(workspaceId: string, ids: string[], action: BulkAction, actor: DecisionActor) {
    const where = { workspaceId, id: { in: [...new Set(ids)] } };
    const { count } =
      action === "delete"
        ? await this.prisma.log.deleteMany({ where })
        : await this.prisma.log.updateMany({
            where,
            data: {
              humanDecision: action === "approve" ? "approved" : "rejected",
              decidedAt: new Date(),
              decidedBy: actor.decidedBy,
              decisionSource: actor.source,
            },
          });
    return { ok: true as const, count };
  }
}
