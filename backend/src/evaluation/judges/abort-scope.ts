import { JudgeFailure } from "./failure";

type AbortCause = "deadline" | "cancelled" | "attempt_timeout";

/**
 * An AbortSignal with a timer and parents that remembers why it fired. The judgement's root scope
 * holds the one hard deadline (and follows the caller's signal); each attempt is a child scope with its
 * own shorter timer. `race` settles the moment the scope aborts, even if an SDK call ignores its signal.
 * Listeners and timers are detached by `dispose`, so a long-lived caller signal does not collect them.
 */
export class AbortScope {
  private readonly controller = new AbortController();
  private readonly detach: Array<() => void> = [];
  private why: AbortCause | null = null;

  private constructor(readonly deadlineAt: number) {}

  /** The judgement: aborts at `timeoutMs` from now, or when `external` aborts. */
  static root(timeoutMs: number, external?: AbortSignal): AbortScope {
    const scope = new AbortScope(Date.now() + timeoutMs);
    if (external) scope.follow(external, () => "cancelled");
    scope.startTimer(timeoutMs, "deadline");
    return scope;
  }

  /** One attempt: aborts with this scope, or on its own after `timeoutMs` (unless the deadline comes first). */
  child(timeoutMs: number): AbortScope {
    const scope = new AbortScope(this.deadlineAt);
    scope.follow(this.signal, () => this.why ?? "cancelled");
    if (timeoutMs < this.remainingMs()) scope.startTimer(timeoutMs, "attempt_timeout");
    return scope;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cause(): AbortCause | null {
    return this.why;
  }

  remainingMs(): number {
    return Math.max(0, this.deadlineAt - Date.now());
  }

  /** `work`'s result, or a JudgeFailure naming the cause as soon as this scope aborts. */
  race<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined); // once the scope has won, a late rejection must not go unhandled
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new JudgeFailure({ kind: this.why ?? "cancelled" }));
      if (this.signal.aborted) return onAbort();
      this.signal.addEventListener("abort", onAbort, { once: true });
      const settle = () => this.signal.removeEventListener("abort", onAbort);
      work.then(
        (value) => (settle(), resolve(value)),
        (err: unknown) => (settle(), reject(err)),
      );
    });
  }

  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return this.race(Promise.resolve());
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.race(new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))));
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    for (const undo of this.detach.splice(0)) undo();
  }

  private abort(cause: AbortCause): void {
    if (this.why) return;
    this.why = cause;
    this.controller.abort(new JudgeFailure({ kind: cause }));
  }

  private follow(parent: AbortSignal, cause: () => AbortCause): void {
    if (parent.aborted) return this.abort(cause());
    const onAbort = () => this.abort(cause());
    parent.addEventListener("abort", onAbort, { once: true });
    this.detach.push(() => parent.removeEventListener("abort", onAbort));
  }

  private startTimer(ms: number, cause: AbortCause): void {
    const timer = setTimeout(() => this.abort(cause), ms);
    this.detach.push(() => clearTimeout(timer));
  }
}
