import type { CreateLogResponse, SyncLogResult } from "@tracira/shared";
import type { SqlClient } from "../db/sql";
import type { Logger } from "../logger";
import type { Evaluation } from "./engine";
import type { Evaluator } from "./evaluator";
import type { LeaseKeeper } from "./lease-keeper";
import { loadStoredResult, type ActiveRule, type PendingLog } from "./store";
import { verdictOf } from "../projections/log";

/** The verdict as `sync: true` callers read it. */
export function toSyncResult(
  id: string,
  evaluation: Pick<Evaluation, "status" | "confidenceScore" | "explanation" | "appliedRules">,
): SyncLogResult {
  return {
    ok: true,
    id,
    status: evaluation.status,
    verdict: verdictOf(evaluation.status, evaluation.appliedRules),
    confidenceScore: evaluation.confidenceScore,
    explanation: evaluation.explanation,
  };
}

/**
 * Gate mode: the log was stored pending with a lease held by this process; it is evaluated right away
 * and the caller gets the verdict. Past the timeout the caller gets `pending` while the evaluation goes
 * on (and, should this process die, the lease runs out and a worker finishes it).
 */
export class SyncGate {
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly sql: SqlClient,
    private readonly evaluator: Evaluator,
    private readonly leases: LeaseKeeper,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  get owner(): string {
    return this.leases.owner;
  }

  get leaseMs(): number {
    return this.leases.leaseMs;
  }

  /**
   * Starts reading the workspace's active rules. Called before the log's insert so both round trips
   * overlap; the rules are as current as if read after it (the insert does not change them).
   */
  prefetchRules(workspaceId: string): Promise<ActiveRule[]> {
    const rules = this.evaluator.activeRules([workspaceId]);
    rules.catch(() => undefined); // if the insert fails first, nobody awaits this
    return rules;
  }

  async evaluate(log: PendingLog, rules?: Promise<ActiveRule[]>): Promise<CreateLogResponse> {
    this.leases.hold([log.id]);
    const work = this.evaluator
      .processAll([log], undefined, rules)
      .then(async ([processed]) => (processed!.written ? toSyncResult(log.id, processed!.evaluation) : this.answerFor(log.id)))
      .then(
        (answer) => {
          this.leases.drop([log.id]);
          return answer;
        },
        async (err: unknown): Promise<CreateLogResponse> => {
          // The log is stored; it stays pending and any worker finishes it. The caller hears "pending", not a 500.
          this.logger.error("sync evaluation failed; the log stays pending for the worker", { id: log.id, error: String(err) });
          await this.leases.release([log.id]);
          return { ok: true, id: log.id, status: "pending" };
        },
      );
    let timer: NodeJS.Timeout | undefined;
    let answerPending = () => undefined as void;
    const timeout = new Promise<CreateLogResponse>((resolve) => {
      answerPending = () => resolve({ ok: true, id: log.id, status: "pending" });
      timer = setTimeout(answerPending, this.timeoutMs);
    });
    this.waiting.add(answerPending);
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(answerPending);
    }
  }

  /**
   * On shutdown: every caller still waiting for a verdict is answered `pending` at once (the evaluation
   * goes on while the process lives; if it ends first, the lease runs out and a worker finishes the log).
   */
  stopWaiting(): void {
    for (const answerPending of this.waiting) answerPending();
  }

  /** The stored state of a log: its verdict when final, else pending. */
  async answerFor(id: string): Promise<CreateLogResponse> {
    const stored = await loadStoredResult(this.sql, id);
    return stored ? toSyncResult(id, stored) : { ok: true, id, status: "pending" };
  }
}
