import type { Delivery, DeliveryList, ListDeliveriesQuery, MemberRole } from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import { SLACK_TARGET } from "../deliveries/targets";
import { isoOrNull as iso } from "../lib/values";

/** Deliveries and their attempts, newest first, for the API and the dashboard. */
export class DeliveryQueryService {
  constructor(private readonly prisma: PrismaClient) {}

  /** `role`: a member sees the URLs deliveries go to only as their origin (see maskedTarget). */
  async list(workspaceId: string, query: ListDeliveriesQuery, role: MemberRole = "admin"): Promise<DeliveryList> {
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
        target:
          d.target === SLACK_TARGET ? "Slack (the workspace's incoming webhook)" : role === "admin" ? d.target : maskedTarget(d.target),
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

/** A URL as a member may see it: its origin only (paths and query strings often carry tokens); an e-mail address as is. */
function maskedTarget(target: string): string {
  if (!/^https?:\/\//i.test(target)) return target;
  try {
    const url = new URL(target);
    return url.pathname === "/" && !url.search ? url.origin : `${url.origin}/…`;
  } catch {
    return "…";
  }
}
