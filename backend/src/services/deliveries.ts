import type { Delivery, DeliveryList, ListDeliveriesQuery } from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import { SLACK_TARGET } from "../deliveries/targets";
import { isoOrNull as iso } from "../lib/values";

/** Deliveries and their attempts, newest first, for the API and the dashboard. */
export class DeliveryQueryService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(workspaceId: string, query: ListDeliveriesQuery): Promise<DeliveryList> {
    const rows = await this.prisma.delivery.findMany({
      where: { workspaceId, ...(query.logId !== undefined && { logId: query.logId }), ...(query.status && { status: query.status }) },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: query.limit,
      include: { attempts: { orderBy: { attemptNumber: "asc" } } },
    });
    return {
      deliveries: rows.map((d): Delivery => ({
        id: d.id,
        logId: d.logId,
        hookId: d.hookSubscriptionId,
        kind: d.kind,
        event: d.event as Delivery["event"],
        target: d.target === SLACK_TARGET ? "Slack (the workspace's incoming webhook)" : d.target,
        status: d.status,
        attemptCount: d.attempts.length,
        nextAttemptAt: d.status === "pending" ? iso(d.nextAttemptAt) : null,
        lastError: d.lastError,
        deliveredAt: iso(d.deliveredAt),
        createdAt: d.createdAt.toISOString(),
        attempts: d.attempts.map((a) => ({
          attemptNumber: a.attemptNumber,
          responseStatus: a.responseStatus,
          error: a.error,
          durationMs: a.durationMs,
          createdAt: a.createdAt.toISOString(),
        })),
      })),
    };
  }
}
