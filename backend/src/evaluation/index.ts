import type { Config } from "../config";
import type { SqlClient } from "../db/sql";
import type { Outbox } from "../deliveries/outbox";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import { Evaluator } from "./evaluator";
import { JudgeService, type WorkspaceJudgeSettings } from "./judges/judge-service";
import { LeaseKeeper } from "./lease-keeper";
import { RegexPool } from "./regex/regex-pool";
import { SyncGate } from "./sync-gate";
import type { EngineDeps } from "./types";
import { EvaluationWorker } from "./worker";

/** Everything that evaluates logs in one process: the engine's helpers, the sync gate and the worker. */
export interface EvaluationRuntime {
  engine: EngineDeps;
  evaluator: Evaluator;
  gate: SyncGate;
  worker: EvaluationWorker;
  /** Stops the worker (letting evaluations finish for `graceMs`), then the regex pool. */
  close(graceMs?: number): Promise<void>;
}

/** `judgeSettings` reads a workspace's judge choices and (decrypted) keys. */
export function createEvaluation(
  sql: SqlClient,
  config: Config,
  logger: Logger,
  judgeSettings: (workspaceId: string) => Promise<WorkspaceJudgeSettings>,
  outbox: Outbox,
  metrics: Metrics,
): EvaluationRuntime {
  const c = config.evaluation;
  const regex = new RegexPool({ size: c.regexWorkers, budgetMs: c.regexTimeoutMs, maxQueuePerTenant: c.regexQueuePerWorkspace });
  const judge = new JudgeService(
    {
      timeoutMs: c.judge.timeoutMs,
      maxRetries: c.judge.maxRetries,
      defaultProvider: c.judge.defaultProvider,
      keys: c.judge.keys,
      baseUrls: c.judge.baseUrls,
    },
    judgeSettings,
  );
  const engine: EngineDeps = { regex, judge };
  const evaluator = new Evaluator(sql, engine, { maxAttempts: c.maxAttempts }, outbox);
  const leases = new LeaseKeeper(sql, logger, c.leaseMs);
  const gate = new SyncGate(sql, evaluator, leases, logger, c.syncTimeoutMs);
  const worker = new EvaluationWorker(
    sql,
    evaluator,
    leases,
    logger,
    {
      concurrency: c.workerConcurrency,
      // Half the concurrency per claim: a second batch is claimed while the first one is finishing, so the
      // database and the evaluation overlap (one batch at a time left the worker idle two thirds of the time).
      batchSize: Math.max(1, Math.min(100, Math.ceil(c.workerConcurrency / 2))),
      pollMs: c.workerPollMs,
      maxHandedOver: Math.max(100, c.workerConcurrency * 4),
    },
    metrics,
  );
  return {
    engine,
    evaluator,
    gate,
    worker,
    async close(graceMs = 5_000) {
      await worker.stop(graceMs);
      await leases.releaseAll();
      await regex.close();
    },
  };
}
