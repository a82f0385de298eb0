import type { SqlClient } from "../db/sql";
import { ClaimLoop } from "../lib/claim-loop";
import type { Logger } from "../logger";
import { Metrics } from "../metrics";
import type { Evaluator } from "./evaluator";
import type { LeaseKeeper } from "./lease-keeper";
import { claimPending, pendingDepth, type PendingLog } from "./store";

export interface WorkerOptions {
  /** Most logs evaluated at once by this process. */
  concurrency: number;
  /** Most logs claimed in one statement. */
  batchSize: number;
  /** How often an idle worker looks for pending logs written by other instances. */
  pollMs: number;
}

/**
 * The async evaluation loop. The pending log is the job: the worker claims pending logs with a lease
 * (see `claimPending`), evaluates them, and writes each final status once. Logs written by this
 * process wake it at once (`notify`); others are found by polling.
 */
export class EvaluationWorker extends ClaimLoop<PendingLog> {
  constructor(sql: SqlClient, evaluator: Evaluator, leases: LeaseKeeper, logger: Logger, options: WorkerOptions, metrics = new Metrics()) {
    const ids = (logs: PendingLog[]) => logs.map((l) => l.id);
    metrics.watchQueue("evaluation", () => pendingDepth(sql));
    super(
      {
        claim: async (limit) => {
          const claimed = await claimPending(sql, leases.owner, limit, leases.leaseMs);
          leases.hold(ids(claimed));
          return claimed;
        },
        work: async (logs, signal) => {
          await evaluator.processAll(logs, signal);
          leases.drop(ids(logs));
        },
        // Stopped or failed: the logs are still pending; handing the leases back lets another instance take them at once.
        release: (logs) => leases.release(ids(logs)),
      },
      { queue: "evaluation", unit: "batch", ...options },
      logger,
      metrics,
    );
  }
}
