import { PeriodicRun } from "../lib/periodic-run";
import type { Logger } from "../logger";
import type { PurgeReport, RetentionPurge } from "./purge";

/** The first run comes at most this long after the start (or after one interval, when shorter). */
const FIRST_RUN_MAX_DELAY_MS = 60_000;

/**
 * Runs the retention purge every `intervalMs` (each run starts an interval after the previous one ended,
 * so runs of one process never overlap) in the worker — `npm start` with TRACIRA_WORKER on, and
 * `npm run worker`. `purgeOnce()` runs one now, after any run in progress; a run being stopped ends after
 * its current batch (each batch is its own transaction).
 */
export class RetentionWorker {
  private readonly loop: PeriodicRun<PurgeReport>;

  constructor(purge: RetentionPurge, logger: Logger, intervalMs: number) {
    this.loop = new PeriodicRun((signal) => purge.purge(signal), logger, {
      intervalMs,
      firstDelayMs: Math.min(intervalMs, FIRST_RUN_MAX_DELAY_MS),
      what: "retention purge",
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Skips timed runs while `mayRun` answers false (the embedded database's disk is nearly full, say). */
  runOnlyWhen(mayRun: () => Promise<boolean>): void {
    this.loop.runOnlyWhen(mayRun);
  }

  /** One purge now (after the one in progress, if any); resolves with what it removed. */
  purgeOnce(): Promise<PurgeReport> {
    return this.loop.runOnce();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
