import { foldLogCounts } from "../db/log-rollups";
import type { SqlClient } from "../db/sql";
import { PeriodicRun } from "../lib/periodic-run";
import type { Logger } from "../logger";

/**
 * Folds the log-count deltas into the rollups every `intervalMs` in the worker (each run starts an
 * interval after the previous one ended; a run repeats while full batches come back). Several instances
 * may run it: one folds at a time, the others skip that round. Reads add the pending deltas, so a slow or
 * stopped folder never makes a figure wrong, only the delta table longer.
 */
export class RollupFolder {
  private readonly loop: PeriodicRun<number>;

  constructor(sql: SqlClient, logger: Logger, options: { intervalMs: number; batch: number }) {
    this.loop = new PeriodicRun(
      async () => {
        let moved = 0;
        for (;;) {
          const n = await foldLogCounts(sql, options.batch);
          moved += n;
          if (n < options.batch) return moved;
        }
      },
      logger,
      { intervalMs: options.intervalMs, what: "folding the log rollups" },
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Skips timed runs while `mayRun` answers false (the embedded database's disk is nearly full, say). */
  runOnlyWhen(mayRun: () => Promise<boolean>): void {
    this.loop.runOnlyWhen(mayRun);
  }

  /** Folds everything pending now (after the run in progress, if any); resolves with how many deltas moved. */
  foldOnce(): Promise<number> {
    return this.loop.runOnce();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
