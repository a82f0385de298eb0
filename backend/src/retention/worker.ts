import type { Logger } from "../logger";
import type { PurgeReport, RetentionPurge } from "./purge";

/** The first run comes at most this long after the start (or after one interval, when shorter). */
const FIRST_RUN_MAX_DELAY_MS = 60_000;

/**
 * Runs the retention purge every `intervalMs` (each run starts an interval after the previous one ended,
 * so runs of one process never overlap) in the worker — `npm start` with TRACIRA_WORKER on, and
 * `npm run worker`. `purgeOnce()` runs one now, after any run in progress.
 */
export class RetentionWorker {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private abort = new AbortController();
  /** The run in progress (or the last one); runs are chained, never concurrent within a process. */
  private last: Promise<unknown> = Promise.resolve();
  private mayRun: (() => Promise<boolean>) | undefined;

  constructor(
    private readonly purge: RetentionPurge,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule(Math.min(this.intervalMs, FIRST_RUN_MAX_DELAY_MS));
  }

  /** Skips timed runs while `mayRun` answers false (the embedded database's disk is nearly full, say). */
  runOnlyWhen(mayRun: () => Promise<boolean>): void {
    this.mayRun = mayRun;
  }

  /** One purge now (after the one in progress, if any); resolves with what it removed. */
  purgeOnce(): Promise<PurgeReport> {
    const run = this.last.catch(() => undefined).then(() => this.purge.purge(this.abort.signal));
    this.last = run;
    return run;
  }

  /** Stops the timer; a run in progress stops after its current batch (each batch is its own transaction). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.last.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      if (!this.mayRun || (await this.mayRun())) await this.purgeOnce();
    } catch (err) {
      this.logger.error("retention purge failed; it runs again at the next interval", {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    this.schedule(this.intervalMs);
  }
}
