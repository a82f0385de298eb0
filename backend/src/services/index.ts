import type { Config } from "../config";
import type { Database } from "../db/database";
import { createDeliveries, type DeliveryRuntime } from "../deliveries";
import { createEvaluation, type EvaluationRuntime } from "../evaluation";
import type { Logger } from "../logger";
import type { RateLimiter } from "../ratelimit/types";
import { LocalMediaStorage } from "../media/local-storage";
import { MediaUrlSigner } from "../media/signed-url";
import { createUrlGuard, type UrlGuard } from "../outbound";
import type { SecretBox } from "../secrets/secret-box";
import { AccountService } from "./accounts/accounts";
import { SessionService } from "./accounts/sessions";
import { AnalyticsService } from "./analytics";
import { AttachmentService } from "./attachments";
import { DeliveryQueryService } from "./deliveries";
import { HookService } from "./hooks";
import { LogIngestService } from "./logs/ingest";
import { LogQueryService } from "./logs/query";
import { LogReviewService } from "./logs/review";
import { ProjectService } from "./projects";
import { RuleEvaluationService } from "./rule-evaluation";
import { RuleService } from "./rules";
import { SettingsService } from "./settings";
import { TokenRotationService } from "./token-rotation";
import { TokenService } from "./tokens";
import { WorkspaceService } from "./workspaces";

export interface Services {
  tokens: TokenService;
  workspaces: WorkspaceService;
  projects: ProjectService;
  ingest: LogIngestService;
  logs: LogQueryService;
  review: LogReviewService;
  rules: RuleService;
  ruleEvaluation: RuleEvaluationService;
  settings: SettingsService;
  tokenRotation: TokenRotationService;
  evaluation: EvaluationRuntime;
  /** Every outbound URL (callbacks, hooks, webhooks, Slack, attachment fetches) passes this guard. */
  outbound: UrlGuard;
  /** Attachments: stored during ingestion (local folder), served through signed links. */
  attachments: AttachmentService;
  mediaUrls: MediaUrlSigner;
  deliveries: DeliveryQueryService;
  hooks: HookService;
  /** The outbox and its sender. */
  delivery: DeliveryRuntime;
  /** Dashboard users: sign-up, log-in, invites, members; and their sessions. */
  accounts: AccountService;
  sessions: SessionService;
  analytics: AnalyticsService;
}

export function createServices(db: Database, config: Config, logger: Logger, secrets: SecretBox, limiter: RateLimiter): Services {
  const outbound = createUrlGuard(config.outbound);
  const settings = new SettingsService(db.prisma, secrets, outbound);
  const delivery = createDeliveries(db.sql, config, logger, secrets, outbound, (workspaceId) => settings.slackWebhookUrl(workspaceId));
  const evaluation = createEvaluation(db.sql, config, logger, (workspaceId) => settings.judgeSettings(workspaceId), delivery.outbox);
  const rules = new RuleService(db.prisma);
  const attachments = new AttachmentService(new LocalMediaStorage(config.media.dir), outbound, db.sql, logger);
  const workspaces = new WorkspaceService(db.prisma, secrets);
  return {
    tokens: new TokenService(db.sql),
    workspaces,
    projects: new ProjectService(db.prisma, attachments),
    ingest: new LogIngestService(db.sql, evaluation.gate, attachments, outbound, () => evaluation.worker.notify()),
    logs: new LogQueryService(db.prisma),
    review: new LogReviewService(db.prisma, db.sql, delivery.outbox, attachments),
    rules,
    ruleEvaluation: new RuleEvaluationService(rules, evaluation.engine),
    settings,
    tokenRotation: new TokenRotationService(db.prisma, secrets),
    evaluation,
    outbound,
    attachments,
    mediaUrls: new MediaUrlSigner(secrets.deriveKey("media-url-signing"), config.media.urlTtlSeconds),
    deliveries: new DeliveryQueryService(db.prisma),
    hooks: new HookService(db.prisma, outbound, delivery.signingSecrets),
    delivery,
    accounts: new AccountService(db.prisma, workspaces, config.accounts, limiter),
    sessions: new SessionService(db.prisma, config.accounts.sessionTtlMs),
    analytics: new AnalyticsService(db.sql),
  };
}
