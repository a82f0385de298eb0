import type { MemberRole, Settings, UpdateSettingsInput } from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import { logCountsOf, PENDING_REVIEW_GROUPS } from "../db/log-rollups";
import type { SqlClient } from "../db/sql";
import type { WorkspaceJudgeSettings } from "../evaluation/judges/judge-service";
import { ApiError } from "../lib/api-error";
import { checkOutboundUrl } from "./outbound-check";
import type { UrlGuard } from "../outbound";
import { secretContext } from "../secrets/contexts";
import { maskSecret, SecretBoxError, type SecretBox } from "../secrets/secret-box";

/** Settings stored encrypted: the API name → its column. */
const SECRET_COLUMNS = {
  slackWebhookUrl: "slackWebhookUrlEncrypted",
  openaiApiKey: "openaiApiKeyEncrypted",
  anthropicApiKey: "anthropicApiKeyEncrypted",
  openrouterApiKey: "openrouterApiKeyEncrypted",
} as const;
type SecretField = keyof typeof SECRET_COLUMNS;

/** The usage figures about logs, from the rollups (the month is the UTC month of created_at). */
const LOG_USAGE = `SELECT coalesce(sum(n), 0)::int AS "totalLogs",
  coalesce(sum(n) FILTER (WHERE created_month >= $2::date), 0)::int AS "logsThisMonth",
  coalesce(sum(n) FILTER (WHERE ${PENDING_REVIEW_GROUPS}), 0)::int AS "pendingReviews"
FROM ${logCountsOf("$1")} r`;

/** `GET/PATCH /api/settings`: every secret encrypted at rest and masked on read. */
export class SettingsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlClient,
    private readonly secrets: SecretBox,
    private readonly guard: UrlGuard,
    /** TRACIRA_RETENTION_DAYS: what applies to a workspace without a retention of its own (undefined: forever). */
    private readonly defaultRetentionDays: number | undefined = undefined,
  ) {}

  async get(workspaceId: string, role: MemberRole): Promise<Settings> {
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId } });
    if (!ws) throw ApiError.notFound("Workspace");
    const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    const [[logs], projects, rules] = await Promise.all([
      this.sql.query<{ totalLogs: number; logsThisMonth: number; pendingReviews: number }>(LOG_USAGE, [
        workspaceId,
        monthStart.toISOString().slice(0, 10),
      ]),
      this.prisma.project.count({ where: { workspaceId } }),
      this.prisma.rule.count({ where: { workspaceId } }),
    ]);
    const { totalLogs, logsThisMonth, pendingReviews } = logs!;
    const shown = (field: SecretField) => this.masked(workspaceId, field, ws[SECRET_COLUMNS[field]]);
    return {
      id: ws.id,
      name: ws.name,
      workspaceName: ws.name,
      currentUserRole: role,
      canManageWorkspace: role === "admin",
      usage: { logsThisMonth, totalLogs, projects, rules, pendingReviews, monthStart: monthStart.toISOString() },
      tokenPrefix: ws.tokenPrefix,
      tokenRotatedAt: ws.tokenRotatedAt?.toISOString() ?? null,
      onboardingDismissed: ws.onboardingDismissed,
      slackWebhookUrl: shown("slackWebhookUrl"),
      notifyOnFlag: ws.notifyOnFlag,
      notifyOnFail: ws.notifyOnFail,
      slackChannelId: ws.slackChannelId,
      notificationEmail: ws.notificationEmail,
      emailOnFlag: ws.emailOnFlag,
      emailOnFail: ws.emailOnFail,
      slackNotificationsEnabled: ws.slackNotificationsEnabled,
      emailNotificationsEnabled: ws.emailNotificationsEnabled,
      webhookEnabled: ws.webhookEnabled,
      outboundWebhookUrl: ws.outboundWebhookUrl,
      outboundWebhookEvents: ws.outboundWebhookEvents,
      estimatedIncidentCostUsd: ws.estimatedIncidentCostUsd,
      openaiApiKey: shown("openaiApiKey"),
      anthropicApiKey: shown("anthropicApiKey"),
      openrouterApiKey: shown("openrouterApiKey"),
      openaiJudgeModel: ws.openaiJudgeModel,
      anthropicJudgeModel: ws.anthropicJudgeModel,
      openrouterJudgeModel: ws.openrouterJudgeModel,
      defaultJudgeProvider: ws.defaultJudgeProvider,
      color: ws.color,
      retentionDays: ws.retentionDays,
      effectiveRetentionDays: ws.retentionDays ?? this.defaultRetentionDays ?? null,
    };
  }

  /** One UPDATE: every field given is changed, or none. URLs Tracira will call must pass the outbound guard. */
  async update(workspaceId: string, input: UpdateSettingsInput): Promise<void> {
    const { workspaceName, slackWebhookUrl, openaiApiKey, anthropicApiKey, openrouterApiKey, ...plain } = input;
    if (slackWebhookUrl) await checkOutboundUrl(this.guard, slackWebhookUrl, "slackWebhookUrl");
    if (plain.outboundWebhookUrl) await checkOutboundUrl(this.guard, plain.outboundWebhookUrl, "outboundWebhookUrl");
    const sealed = { slackWebhookUrl, openaiApiKey, anthropicApiKey, openrouterApiKey };
    const data: Record<string, unknown> = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined));
    if (workspaceName !== undefined) data.name = workspaceName;
    for (const [field, value] of Object.entries(sealed) as [SecretField, string | null | undefined][]) {
      if (value === undefined) continue;
      data[SECRET_COLUMNS[field]] = value === null ? null : this.secrets.seal(value, secretContext(workspaceId, field));
    }
    await this.prisma.workspace.update({ where: { id: workspaceId }, data });
  }

  /** The Slack incoming-webhook URL, decrypted, for the sender; null when none is set. */
  async slackWebhookUrl(workspaceId: string): Promise<string | null> {
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { slackWebhookUrlEncrypted: true } });
    const sealed = ws?.slackWebhookUrlEncrypted ?? null;
    return sealed === null ? null : this.open(workspaceId, "slackWebhookUrl", sealed);
  }

  /** The workspace's judge choices and its own provider keys, decrypted. */
  async judgeSettings(workspaceId: string): Promise<WorkspaceJudgeSettings> {
    const ws = await this.prisma.workspace.findUnique({ where: { id: workspaceId } });
    if (!ws) return { defaultProvider: null, models: {}, keys: {} };
    const key = (field: SecretField) => {
      const sealed = ws[SECRET_COLUMNS[field]];
      return sealed === null ? null : this.open(workspaceId, field, sealed);
    };
    return {
      defaultProvider: ws.defaultJudgeProvider,
      models: { openai: ws.openaiJudgeModel, anthropic: ws.anthropicJudgeModel, openrouter: ws.openrouterJudgeModel },
      keys: { openai: key("openaiApiKey"), anthropic: key("anthropicApiKey"), openrouter: key("openrouterApiKey") },
    };
  }

  private open(workspaceId: string, field: SecretField, sealed: string): string {
    try {
      return this.secrets.open(sealed, secretContext(workspaceId, field));
    } catch (err) {
      if (err instanceof SecretBoxError) {
        throw new Error(`the workspace's ${field} cannot be decrypted (${err.message}); set it again in settings`, { cause: err });
      }
      throw err;
    }
  }

  private masked(workspaceId: string, field: SecretField, sealed: string | null): string | null {
    if (sealed === null) return null;
    try {
      return maskSecret(this.secrets.open(sealed, secretContext(workspaceId, field)));
    } catch {
      return "(cannot be decrypted: set it again)";
    }
  }
}
