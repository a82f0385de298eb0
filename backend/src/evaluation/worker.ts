import type { SqlClient } from "../db/sql";
import type { Logger } from "../logger";
import type { Evaluator } from "./evaluator";
import type { LeaseKeeper } from "./lease-keeper";
import { Waker } from "../lib/waker";
import { claimPending } from "./store";

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
export class EvaluationWorker {
  private running = false;
  private inFlight = 0;
  private readonly batches = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly waker = new Waker();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly sql: SqlClient,
    private readonly evaluator: Evaluator,
    private readonly leases: LeaseKeeper,
    private readonly logger: Logger,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New pending logs exist: look now instead of at the next poll. */
  notify(): void {
    this.waker.wake();
  }

  /**
   * Stops claiming, lets evaluations in flight finish for up to `graceMs`, then aborts the rest and
   * hands their leases back so another instance takes them over at once.
   */
  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.notify();
    await this.loop;
    const settled = Promise.allSettled([...this.batches]);
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([settled, timer]);
    this.abort.abort();
    await settled;
    await this.leases.releaseAll();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.options.concurrency - this.inFlight;
      if (free <= 0) {
        await this.idle(this.options.pollMs);
        continue;
      }
      let claimed;
      try {
        claimed = await claimPending(this.sql, this.leases.owner, Math.min(free, this.options.batchSize), this.leases.leaseMs);
      } catch (err) {
        this.logger.warn("evaluation worker could not claim logs; retrying", { error: String(err) });
        await this.idle(this.options.pollMs);
        continue;
      }
      if (!claimed.length) {
        await this.idle(this.options.pollMs);
        continue;
      }
      const ids = claimed.map((l) => l.id);
      this.leases.hold(ids);
      this.inFlight += ids.length;
      const batch = this.evaluator
        .processAll(claimed, this.abort.signal)
        .then(
          () => this.leases.drop(ids),
          async (err: unknown) => {
            // Nothing was lost: the logs are still pending. Hand them back so a retry need not wait for the lease.
            if (!this.abort.signal.aborted) {
              this.logger.error("evaluation batch failed; the logs stay pending and will be retried", { error: String(err) });
            }
            await this.leases.release(ids);
          },
        )
        .finally(() => {
          this.inFlight -= ids.length;
          this.batches.delete(batch);
          this.notify();
        });
      this.batches.add(batch);
    }
  }

  /** Sleeps until `ms` pass or `notify` is called; returns at once when stopping. */
  private idle(ms: number): Promise<void> {
    return this.running ? this.waker.idle(ms) : Promise.resolve();
  }
}
