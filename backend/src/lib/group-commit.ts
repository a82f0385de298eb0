/**
 * Group commit. The first item is flushed at once; items submitted while flushes are in flight queue up
 * and go out together in the next one. An idle server so adds no delay, and a busy one turns many
 * requests into one statement and one commit.
 *
 * `flush` answers every item of its batch (fulfilled or rejected); if it throws instead, every item of
 * the batch is rejected with that error. Each `submit` settles exactly once.
 */
export interface GroupCommitLimits<T> {
  /** Batches in flight at once. */
  concurrency: number;
  /** Most items in one batch. */
  maxItems: number;
  /** Most total weight in one batch (a batch always takes at least one item). */
  maxWeight: number;
  weight(item: T): number;
}

interface Waiter<T, R> {
  item: T;
  resolve(value: R): void;
  reject(reason: unknown): void;
}

export class GroupCommit<T, R> {
  private readonly queue: Waiter<T, R>[] = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (items: T[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly limits: GroupCommitLimits<T>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.concurrency && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.run(batch);
    }
  }

  private take(): Waiter<T, R>[] {
    let count = 0;
    let weight = 0;
    while (count < this.queue.length && count < this.limits.maxItems) {
      weight += this.limits.weight(this.queue[count]!.item);
      if (count > 0 && weight > this.limits.maxWeight) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async run(batch: Waiter<T, R>[]): Promise<void> {
    let results: PromiseSettledResult<R>[] | undefined;
    let failure: unknown;
    try {
      results = await this.flush(batch.map((w) => w.item));
    } catch (err) {
      failure = err;
    }
    // The next batch goes out before this one's items are answered: the database works on it while the
    // answers (each a response written to its socket) are sent, instead of waiting for all of them.
    this.inFlight--;
    this.pump();
    batch.forEach((waiter, i) => {
      const result = results?.[i];
      if (result?.status === "fulfilled") waiter.resolve(result.value);
      else if (results) waiter.reject(result ? result.reason : new Error("group commit: the flush gave no answer for this item"));
      else waiter.reject(failure);
    });
  }
}
