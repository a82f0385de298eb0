import { z } from "zod";
import { HOOK_EVENTS, JUDGE_PROVIDERS, MEMBER_ROLES } from "../enums";
import { LIMITS } from "../limits";
import { enumOf, httpUrl, looseBoolean, requiredText } from "./fields";

/** On update, `null` or `""` clears an optional setting (the dashboard sends "" for an emptied field). */
const clearable = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === "" ? null : value), schema.nullable().optional());

const secretText = (field: string) =>
  z
    .string({ error: () => `${field} must be text` })
    .trim()
    .min(8, { error: `${field} looks too short to be an API key` })
    .max(LIMITS.secretChars, { error: `${field} must be at most ${LIMITS.secretChars} characters` })
    .refine((v) => !/\s/.test(v), { error: `${field} must not contain spaces` });

const modelName = (field: string) =>
  z
    .string({ error: () => `${field} must be text` })
    .trim()
    .min(1)
    .max(LIMITS.shortFieldChars, { error: `${field} is too long` });

/**
 * How long a workspace keeps its logs, in days (`retentionDays`): older logs are purged with their spans,
 * evaluations and files. `null` means the deployment's default (`TRACIRA_RETENTION_DAYS`; unset: forever).
 */
export const RETENTION_DAYS = { min: 1, max: 3650 } as const;

const retentionDaysError = `retentionDays must be a whole number of days from ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max}, or null for the deployment's default`;

/** The fields of `PATCH /api/settings`, as the reference names them (and Tracira's own after them). */
export const SETTINGS_FIELDS = [
  "onboardingDismissed",
  "workspaceName",
  "slackWebhookUrl",
  "notifyOnFlag",
  "notifyOnFail",
  "slackChannelId",
  "notificationEmail",
  "emailOnFlag",
  "emailOnFail",
  "slackNotificationsEnabled",
  "emailNotificationsEnabled",
  "webhookEnabled",
  "outboundWebhookUrl",
  "outboundWebhookEvents",
  "estimatedIncidentCostUsd",
  "openaiApiKey",
  "anthropicApiKey",
  "openrouterApiKey",
  "openaiJudgeModel",
  "anthropicJudgeModel",
  "openrouterJudgeModel",
  "defaultJudgeProvider",
  "color",
  "retentionDays",
] as const;

export const UpdateSettingsBody = z
  .strictObject(
    {
      onboardingDismissed: looseBoolean("onboardingDismissed"),
      workspaceName: requiredText("workspaceName", LIMITS.projectNameChars, "Acme support").optional(),
      slackWebhookUrl: clearable(
        httpUrl("slackWebhookUrl").refine((v) => v.startsWith("https://"), {
          error: "slackWebhookUrl must be an https:// URL (Slack → Incoming Webhooks)",
        }),
      ),
      notifyOnFlag: looseBoolean("notifyOnFlag"),
      notifyOnFail: looseBoolean("notifyOnFail"),
      slackChannelId: clearable(z.string().trim().max(100, { error: "slackChannelId must be at most 100 characters" })),
      notificationEmail: clearable(z.email({ error: "notificationEmail must be an e-mail address, e.g. alerts@example.com" }).max(254)),
      emailOnFlag: looseBoolean("emailOnFlag"),
      emailOnFail: looseBoolean("emailOnFail"),
      slackNotificationsEnabled: looseBoolean("slackNotificationsEnabled"),
      emailNotificationsEnabled: looseBoolean("emailNotificationsEnabled"),
      webhookEnabled: looseBoolean("webhookEnabled"),
      outboundWebhookUrl: clearable(httpUrl("outboundWebhookUrl")),
      outboundWebhookEvents: z
        .array(enumOf("outboundWebhookEvents[]", HOOK_EVENTS), {
          error: () => `outboundWebhookEvents must be an array of: ${HOOK_EVENTS.join(", ")}`,
        })
        .max(HOOK_EVENTS.length * 2)
        .transform((events) => [...new Set(events)])
        .optional(),
      estimatedIncidentCostUsd: clearable(
        z.preprocess(
          (v) => (typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
          z
            .number({ error: () => "estimatedIncidentCostUsd must be a number of dollars, e.g. 250" })
            .min(0, { error: "estimatedIncidentCostUsd must be 0 or more" })
            .max(1e12, { error: "estimatedIncidentCostUsd is too large" }),
        ),
      ),
      openaiApiKey: clearable(secretText("openaiApiKey")),
      anthropicApiKey: clearable(secretText("anthropicApiKey")),
      openrouterApiKey: clearable(secretText("openrouterApiKey")),
      openaiJudgeModel: clearable(modelName("openaiJudgeModel")),
      anthropicJudgeModel: clearable(modelName("anthropicJudgeModel")),
      openrouterJudgeModel: clearable(modelName("openrouterJudgeModel")),
      defaultJudgeProvider: clearable(enumOf("defaultJudgeProvider", JUDGE_PROVIDERS)),
      color: clearable(z.string().regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, { error: 'color must be a hex color like "#4f46e5"' })),
      retentionDays: clearable(
        z.preprocess(
          (v) => (typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
          z
            .number({ error: () => retentionDaysError })
            .int({ error: retentionDaysError })
            .min(RETENTION_DAYS.min, { error: retentionDaysError })
            .max(RETENTION_DAYS.max, { error: retentionDaysError }),
        ),
      ),
    },
    { error: (iss) => (iss.code === "unrecognized_keys" ? `unknown setting; the settings are: ${SETTINGS_FIELDS.join(", ")}` : undefined) },
  )
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    error: `send at least one setting to change: ${SETTINGS_FIELDS.join(", ")}`,
  });
export type UpdateSettingsInput = z.output<typeof UpdateSettingsBody>;

export const Usage = z.object({
  logsThisMonth: z.number().int(),
  totalLogs: z.number().int(),
  projects: z.number().int(),
  rules: z.number().int(),
  /** Flagged or errored logs with no human decision yet. */
  pendingReviews: z.number().int(),
  /** When the current month began (UTC), the start of `logsThisMonth`. */
  monthStart: z.string(),
});

const masked = z.string().nullable();

export const Settings = z
  .object({
    id: z.string(),
    name: z.string(),
    workspaceName: z.string(),
    currentUserRole: z.enum(MEMBER_ROLES),
    canManageWorkspace: z.boolean(),
    usage: Usage,
    /** The first characters of the webhook token (the token itself is shown once, at creation or rotation). */
    tokenPrefix: z.string(),
    tokenRotatedAt: z.string().nullable(),
    onboardingDismissed: z.boolean(),
    slackWebhookUrl: masked,
    notifyOnFlag: z.boolean(),
    notifyOnFail: z.boolean(),
    slackChannelId: z.string().nullable(),
    notificationEmail: z.string().nullable(),
    emailOnFlag: z.boolean(),
    emailOnFail: z.boolean(),
    slackNotificationsEnabled: z.boolean(),
    emailNotificationsEnabled: z.boolean(),
    webhookEnabled: z.boolean(),
    outboundWebhookUrl: z.string().nullable(),
    outboundWebhookEvents: z.array(z.string()),
    estimatedIncidentCostUsd: z.number().nullable(),
    openaiApiKey: masked,
    anthropicApiKey: masked,
    openrouterApiKey: masked,
    openaiJudgeModel: z.string().nullable(),
    anthropicJudgeModel: z.string().nullable(),
    openrouterJudgeModel: z.string().nullable(),
    defaultJudgeProvider: z.enum(JUDGE_PROVIDERS).nullable(),
    color: z.string().nullable(),
    /** The workspace's own retention in days; null: the deployment's default applies. */
    retentionDays: z.number().int().nullable(),
    /** What the purge applies: `retentionDays`, else the deployment's default; null: logs are kept forever. */
    effectiveRetentionDays: z.number().int().nullable(),
  })
  .meta({ id: "Settings" });
export type Settings = z.infer<typeof Settings>;

export const RotateTokenResponse = z.object({ webhookToken: z.string() }).meta({ id: "RotatedToken" });

/** The workspace signing secret: what callbacks and the outbound webhook are signed with (admins only). */
export const SigningSecretResponse = z.object({ signingSecret: z.string() }).meta({ id: "SigningSecret" });

/** The new workspace signing secret (shown once) and until when the previous one still signs too. */
export const RotateSigningSecretResponse = z
  .object({ signingSecret: z.string(), previousValidUntil: z.string() })
  .meta({ id: "RotatedSigningSecret" });
export type RotateSigningSecretResponse = z.infer<typeof RotateSigningSecretResponse>;
