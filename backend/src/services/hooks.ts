import { randomUUID } from "node:crypto";
import type { CreatedHook, CreateHookBody, Hook, HookEvent } from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import { newSigningSecret, type SigningSecrets } from "../deliveries/signing-secrets";
import { ApiError } from "../lib/api-error";
import type { UrlGuard } from "../outbound";
import { checkOutboundUrl } from "./outbound-check";
import { assertUnderCap } from "../lib/caps";

type HookRow = Awaited<ReturnType<PrismaClient["hookSubscription"]["findFirstOrThrow"]>>;

const toHook = (h: HookRow): Hook => ({
  id: h.id,
  url: h.url,
  events: h.events as HookEvent[],
  project: h.projectName,
  task: h.taskName,
  source: h.source,
  createdAt: h.createdAt.toISOString(),
});

/** Subscriptions that integration triggers (n8n, Zapier REST hooks, Make webhooks) register and remove. */
export class HookService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly guard: UrlGuard,
    private readonly signingSecrets: SigningSecrets,
    private readonly maxHooks: number,
  ) {}

  /**
   * The answer carries the subscription's own signing secret, shown this once: the trigger needs it to
   * verify what it receives, and it signs nothing else.
   */
  async create(workspaceId: string, body: CreateHookBody): Promise<CreatedHook> {
    await checkOutboundUrl(this.guard, body.url, "url");
    assertUnderCap(
      await this.prisma.hookSubscription.count({ where: { workspaceId } }),
      this.maxHooks,
      "hook subscriptions",
      "TRACIRA_MAX_HOOKS_PER_WORKSPACE",
      "remove the ones no trigger uses any more (GET /api/hooks, DELETE /api/hooks/:id)",
    );
    const id = randomUUID();
    const signingSecret = newSigningSecret();
    const hook = await this.prisma.hookSubscription.create({
      data: {
        id,
        workspaceId,
        signingSecretEncrypted: this.signingSecrets.sealForHook(workspaceId, id, signingSecret),
        url: body.url,
        events: body.events,
        projectName: body.project?.trim() || null,
        taskName: body.task?.trim() || null,
        source: body.source?.trim() || "api",
      },
    });
    return { ...toHook(hook), signingSecret };
  }

  async list(workspaceId: string): Promise<{ hooks: Hook[] }> {
    const hooks = await this.prisma.hookSubscription.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return { hooks: hooks.map(toHook) };
  }

  /** Pending deliveries to the removed subscription are cancelled with it: nobody wants them any more. */
  async delete(workspaceId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw ApiError.notFound("Hook");
    const removed = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.hookSubscription.deleteMany({ where: { id, workspaceId } });
      if (count) {
        await tx.delivery.updateMany({
          where: { hookSubscriptionId: id, status: "pending" },
          data: { status: "cancelled", lastError: "the hook subscription was deleted", leaseUntil: null },
        });
      }
      return count;
    });
    if (!removed) throw ApiError.notFound("Hook");
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
