import { LIMITS } from "@tracira/shared";
import type { Config } from "./config";
import { openDatabase, type Database } from "./db/database";
import { migrate } from "./db/migrate";
import { createDeliveries, type DeliveryRuntime } from "./deliveries";
import { clearStaleDeliveryLeases } from "./deliveries/store";
import { createEvaluation, type EvaluationRuntime } from "./evaluation";
import { clearStaleLeases } from "./evaluation/store";
import type { Logger } from "./logger";
import { Metrics } from "./metrics";
import { createUrlGuard, type UrlGuard } from "./outbound";
import { RetentionPurge } from "./retention/purge";
import { RetentionWorker } from "./retention/worker";
import { RollupFolder } from "./rollups/folder";
import { createSecretBox } from "./secrets";
import type { SecretBox } from "./secrets/secret-box";
import { LocalMediaStorage } from "./media/local-storage";
import { MediaUrlSigner } from "./media/signed-url";
import type { RateLimiter } from "./ratelimit/types";
import type { RequestServices } from "./services";
import { OtlpIngestService } from "./services/traces/otlp/ingest";
import { LangSmithIngestService } from "./services/traces/langsmith/ingest";
import { TracePartWriter } from "./services/traces/parts";
import { AccountService } from "./services/accounts/accounts";
import { SessionService } from "./services/accounts/sessions";
import { AnalyticsService } from "./services/analytics";
import { AttachmentService } from "./services/attachments";
import { DeliveryQueryService } from "./services/deliveries";
import { HookService } from "./services/hooks";
import { LogIngestService } from "./services/logs/ingest";
import { LogQueryService } from "./services/logs/query";
import { LogReviewService } from "./services/logs/review";
import { ProjectService } from "./services/projects";
import { RuleEvaluationService } from "./services/rule-evaluation";
import { RuleService } from "./services/rules";
import { SettingsService } from "./services/settings";
import { TokenRotationService } from "./services/token-rotation";
import { TokenService } from "./services/tokens";
import { WorkspaceService } from "./services/workspaces";
import { SigningSecretRotationService } from "./services/signing-secret-rotation";
import { DiskGuard } from "./db/disk-guard";
import { TraceQueryService } from "./services/traces/query";
import { TraceSearchService } from "./services/traces/search";
import { StepService } from "./services/traces/steps";
import { SpanAppendService } from "./services/traces/append";
import { EvaluationService } from "./services/traces/evaluations";
import { SessionAnalysisService } from "./services/sessions/analysis";
import { SessionExportService } from "./services/sessions/csv-export";
import { GenerationQueryService } from "./services/sessions/generations";
import { SessionMetricsService } from "./services/sessions/metrics";
import { SessionQueryService } from "./services/sessions/query";

/**
 * The composition root's lower half, shared by `npm start` (server.ts) and `npm run worker`: the
 * database (migrated), secrets, the outbound guard, metrics, and the two background runtimes —
 * evaluation (sync gate and worker) and deliveries (outbox and sender) — and the retention purge.
 * Request services are built on top of it by the server only.
 */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Database;
  secrets: SecretBox;
  /** Every outbound URL (callbacks, hooks, webhooks, Slack, attachment fetches) passes this guard. */
  outbound: UrlGuard;
  settings: SettingsService;
  metrics: Metrics;
  evaluation: EvaluationRuntime;
  delivery: DeliveryRuntime;
  /** Stores, lists and removes attachment files (ingestion, deletions and the retention purge share it). */
  attachments: AttachmentService;
  /** The purge of expired logs (workspace `retentionDays`, else TRACIRA_RETENTION_DAYS); runs with the worker. */
  retention: RetentionWorker;
  /** Folds the log-count deltas into the rollups; runs with the worker. */
  rollups: RollupFolder;
  /** Refuses writes while the embedded database's disk is nearly full. */
  disk: DiskGuard;
  /** Starts the evaluation worker, the delivery sender and the retention purge where the config enables them. */
  startLoops(): void;
  /** Stops the loops (with their grace periods), then closes the database. */
  close(): Promise<void>;
}

export async function openRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    timeouts: config.databaseTimeouts,
  });
  try {
    const applied = await migrate(db.sql);
    if (applied.length) logger.info("applied migrations", { applied });
    if (db.kind === "pglite") {
      // The embedded database belongs to one process (the data-folder lock): leases found now are a dead process's.
      await clearStaleLeases(db.sql);
      await clearStaleDeliveryLeases(db.sql);
    }
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const secrets = createSecretBox(config, logger);
  const outbound = createUrlGuard(config.outbound);
  const settings = new SettingsService(db.prisma, db.sql, secrets, outbound, config.retention.defaultDays);
  const metrics = new Metrics();
  const delivery = createDeliveries(db.sql, config, logger, secrets, outbound, (id) => settings.slackWebhookUrl(id), metrics);
  const evaluation = createEvaluation(db.sql, config, logger, (id) => settings.judgeSettings(id), delivery.outbox, metrics);
  const disk = new DiskGuard(db.kind === "pglite" ? config.dataDir : undefined, config.minFreeDiskBytes);
  // On a nearly full disk the background loops write nothing either (they resume by themselves).
  evaluation.worker.claimOnlyWhen(() => disk.writable());
  delivery.sender.claimOnlyWhen(() => disk.writable());
  const attachments = new AttachmentService(
    new LocalMediaStorage(config.media.dir),
    outbound,
    db.sql,
    logger,
    LIMITS.attachmentBytes,
    config.caps.attachmentBytes,
  );
  const retention = new RetentionWorker(
    new RetentionPurge(db.sql, attachments, logger, { defaultDays: config.retention.defaultDays, batchSize: config.retention.batchSize }),
    logger,
    config.retention.intervalMs,
  );
  retention.runOnlyWhen(() => disk.writable());
  const rollups = new RollupFolder(db.sql, logger, { intervalMs: config.rollups.foldIntervalMs, batch: config.rollups.foldBatch });
  rollups.runOnlyWhen(() => disk.writable());
  let closing: Promise<void> | undefined;
  return {
    config,
    logger,
    db,
    secrets,
    outbound,
    settings,
    metrics,
    evaluation,
    delivery,
    attachments,
    retention,
    rollups,
    disk,
    startLoops() {
      if (config.evaluation.workerEnabled) evaluation.worker.start();
      if (config.evaluation.workerEnabled) retention.start();
      if (config.evaluation.workerEnabled) rollups.start();
      if (config.deliveries.senderEnabled) delivery.sender.start();
    },
    close: () =>
      (closing ??= (async () => {
        await retention.stop();
        await rollups.stop();
        await evaluation.close();
        await delivery.close();
        await db.close();
      })()),
  };
}

/** The composition root's upper half, for the server: the services requests reach. */
export function createRequestServices(runtime: Runtime, limiter: RateLimiter): RequestServices {
  const { db, config, secrets, outbound, settings, evaluation, delivery, attachments } = runtime;
  const rules = new RuleService(db.prisma, config.caps.rules);
  const workspaces = new WorkspaceService(db.prisma, secrets);
  const ingest = new LogIngestService(
    db.sql,
    evaluation.gate,
    attachments,
    outbound,
    evaluation.worker,
    config.otlp.finalStepWaitMs,
    config.caps.projects,
  );
  const sessionMetrics = new SessionMetricsService(db.sql);
  const spans = new SpanAppendService(db.sql);
  const traceParts = new TracePartWriter(ingest, config.otlp.rootWaitMs);
  return {
    tokens: new TokenService(db.sql),
    workspaces,
    projects: new ProjectService(db.prisma, attachments, config.caps.projects),
    ingest,
    otlp: new OtlpIngestService(traceParts),
    langsmith: new LangSmithIngestService(traceParts, db.sql),
    logs: new LogQueryService(db.prisma, db.sql, config.listCountBudgetMs),
    review: new LogReviewService(db.prisma, db.sql, delivery.outbox, attachments),
    rules,
    ruleEvaluation: new RuleEvaluationService(rules, evaluation.engine),
    settings,
    tokenRotation: new TokenRotationService(db.prisma, secrets),
    signingSecretRotation: new SigningSecretRotationService(delivery.signingSecrets, config.signingSecretOverlapMs),
    attachments,
    mediaUrls: new MediaUrlSigner(secrets.deriveKey("media-url-signing"), config.media.urlTtlSeconds),
    deliveries: new DeliveryQueryService(db.prisma),
    hooks: new HookService(db.prisma, outbound, delivery.signingSecrets, config.caps.hooks),
    accounts: new AccountService(db.prisma, workspaces, config.accounts, limiter),
    sessions: new SessionService(db.prisma, config.accounts.sessionTtlMs),
    analytics: new AnalyticsService(db.sql),
    traces: new TraceQueryService(db.sql),
    traceSearch: new TraceSearchService(db.sql),
    spans,
    steps: new StepService(spans, db.sql, evaluation.gate, evaluation.worker),
    evaluations: new EvaluationService(db.sql),
    sessionQueries: new SessionQueryService(db.sql, sessionMetrics),
    sessionMetrics,
    sessionAnalysis: new SessionAnalysisService(db.sql),
    sessionExport: new SessionExportService(db.sql),
    generations: new GenerationQueryService(db.sql),
  };
}
