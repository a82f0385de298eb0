import type { Logger } from "../logger";

export interface PeriodicRunOptions {
  /** Between the end of one timed run and the start of the next. */
  intervalMs: number;
  /** Before the first timed run (default: one interval). */
  firstDelayMs?: number;
  /** Names the work in the error log line, e.g. "retention purge". */
  what: string;
}

/**
 * A background job of the worker run every interval: each timed run starts an interval after the previous
 * one ended, and runs of one process are chained, never concurrent (`runOnce` waits for the one in
 * progress). A failed run is logged and the next comes at the next interval.
 */
export class PeriodicRun<T> {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private abort = new AbortController();
  /** The run in progress (or the last one). */
  private last: Promise<unknown> = Promise.resolve();
  private mayRun: (() => Promise<boolean>) | undefined;

  constructor(
    private readonly work: (signal: AbortSignal) => Promise<T>,
    private readonly logger: Logger,
    private readonly options: PeriodicRunOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule(this.options.firstDelayMs ?? this.options.intervalMs);
  }

  /** Skips timed runs while `mayRun` answers false (the embedded database's disk is nearly full, say). */
  runOnlyWhen(mayRun: () => Promise<boolean>): void {
    this.mayRun = mayRun;
  }

  /** One run now, after the one in progress (if any). */
  runOnce(): Promise<T> {
    const run = this.last.catch(() => undefined).then(() => this.work(this.abort.signal));
    this.last = run;
    return run;
  }

  /** Stops the timer and signals the run in progress to stop; resolves once it has. */
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
      if (!this.mayRun || (await this.mayRun())) await this.runOnce();
    } catch (err) {
      this.logger.error(`${this.options.what} failed; it runs again at the next interval`, {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    this.schedule(this.options.intervalMs);
  }
}
