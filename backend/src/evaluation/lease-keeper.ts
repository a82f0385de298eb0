import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { SqlClient } from "../db/sql";
import type { Logger } from "../logger";
import { releaseLeases, renewLeases } from "./store";

/**
 * The evaluation leases one process holds. Logs being evaluated here keep their lease renewed (a slow
 * judge does not let another worker take them); when the process dies the leases run out and any
 * instance claims the logs again.
 */
export class LeaseKeeper {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sql: SqlClient,
    private readonly logger: Logger,
    readonly leaseMs: number,
  ) {}

  get size(): number {
    return this.held.size;
  }

  hold(ids: readonly string[]): void {
    for (const id of ids) this.held.add(id);
    this.timer ??= setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3))).unref();
  }

  drop(ids: readonly string[]): void {
    for (const id of ids) this.held.delete(id);
    if (!this.held.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Hands every held log back at once (graceful stop), so another instance need not wait for the lease. */
  async releaseAll(): Promise<void> {
    await this.release([...this.held]);
  }

  /** Stops holding these logs and clears their lease, so any worker may claim them now. */
  async release(ids: readonly string[]): Promise<void> {
    this.drop(ids);
    if (ids.length) await releaseLeases(this.sql, this.owner, [...ids]).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (!this.held.size) return;
    try {
      await renewLeases(this.sql, this.owner, [...this.held], this.leaseMs);
    } catch (err) {
      this.logger.warn("could not renew evaluation leases; other workers may re-evaluate these logs", { error: String(err) });
    }
  }
}
