import { foldLogCounts } from "../db/log-rollups";
import type { SqlClient } from "../db/sql";
import type { Logger } from "../logger";

/**
 * Folds the log-count deltas into the rollups every `intervalMs` in the worker (each run starts an
 * interval after the previous one ended; a run repeats while full batches come back). Several instances
 * may run it: one folds at a time, the others skip that round. Reads add the pending deltas, so a slow or
 * stopped folder never makes a figure wrong, only the delta table longer.
 */
export class RollupFolder {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private last: Promise<unknown> = Promise.resolve();
  private mayRun: (() => Promise<boolean>) | undefined;

  constructor(
    private readonly sql: SqlClient,
    private readonly logger: Logger,
    private readonly options: { intervalMs: number; batch: number },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Skips timed runs while `mayRun` answers false (the embedded database's disk is nearly full, say). */
  runOnlyWhen(mayRun: () => Promise<boolean>): void {
    this.mayRun = mayRun;
  }

  /** Folds everything pending now (after the run in progress, if any); resolves with how many deltas moved. */
  foldOnce(): Promise<number> {
    const run = this.last
      .catch(() => undefined)
      .then(async () => {
        let moved = 0;
        for (;;) {
          const n = await foldLogCounts(this.sql, this.options.batch);
          moved += n;
          if (n < this.options.batch) return moved;
        }
      });
    this.last = run;
    return run;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.last.catch(() => undefined);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      if (!this.mayRun || (await this.mayRun())) await this.foldOnce();
    } catch (err) {
      this.logger.error("folding the log rollups failed; it runs again at the next interval", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    this.schedule();
  }
}
