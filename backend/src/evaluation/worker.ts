import type { SqlClient } from "../db/sql";
import { ClaimLoop } from "../lib/claim-loop";
import type { Logger } from "../logger";
import { Metrics } from "../metrics";
import type { Evaluator } from "./evaluator";
import type { LeaseKeeper } from "./lease-keeper";
import { claimPending, loadOwnPending, pendingDepth, type PendingLog } from "./store";

export interface WorkerOptions {
  /** Most logs evaluated at once by this process. */
  concurrency: number;
  /** Most logs claimed in one statement. */
  batchSize: number;
  /** How often an idle worker looks for pending logs written by other instances. */
  pollMs: number;
  /** Most logs handed over by this process's ingest waiting at once; past it new logs are claimed as usual (default 0: none). */
  maxHandedOver?: number;
}

/**
 * The async evaluation loop. The pending log is the job: the worker claims pending logs with a lease
 * (see `claimPending`), evaluates them, and writes each final status once. Logs written by other
 * instances are found by polling. Logs this process stores are handed over instead: stored with this
 * worker's lease (`leaseForNew`), then `adopt`ed, they are read without a claim (one UPDATE of every log
 * fewer: measured in bench:ingest, issue #17); should this process die, the lease runs out and any worker
 * claims them as usual.
 */
export class EvaluationWorker extends ClaimLoop<PendingLog> {
  /** Logs stored with this worker's lease, waiting to be evaluated here (held, so their leases are renewed). */
  private readonly handedOver: string[];
  private readonly maxHandedOver: number;

  constructor(
    sql: SqlClient,
    evaluator: Evaluator,
    private readonly leases: LeaseKeeper,
    logger: Logger,
    options: WorkerOptions,
    metrics = new Metrics(),
  ) {
    const ids = (logs: PendingLog[]) => logs.map((l) => l.id);
    const handedOver: string[] = [];
    metrics.watchQueue("evaluation", () => pendingDepth(sql));
    super(
      {
        claim: async (limit) => {
          while (handedOver.length) {
            const taken = handedOver.splice(0, limit);
            const logs = await loadOwnPending(sql, leases.owner, taken).catch((err: unknown) => {
              handedOver.unshift(...taken);
              throw err;
            });
            // A log not read back was finalized meanwhile (or taken by another worker after a lost lease).
            const read = new Set(ids(logs));
            leases.drop(taken.filter((id) => !read.has(id)));
            if (logs.length) return logs;
          }
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
    this.handedOver = handedOver;
    this.maxHandedOver = options.maxHandedOver ?? 0;
  }

  /**
   * The lease a new async log is stored with so that this worker takes it without a claim; null (claimed
   * as usual) while the worker is not running, or when enough handed-over logs already wait.
   */
  leaseForNew(): { owner: string; ms: number } | null {
    if (!this.isRunning || this.handedOver.length >= this.maxHandedOver) return null;
    return { owner: this.leases.owner, ms: this.leases.leaseMs };
  }

  /** Logs stored with `leaseForNew`'s lease: evaluated here next. */
  adopt(ids: readonly string[]): void {
    this.leases.hold(ids);
    this.handedOver.push(...ids);
    this.notify();
  }
}
