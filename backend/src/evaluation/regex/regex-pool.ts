import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { RegexRunner, RegexTestResult } from "../types";

export interface RegexPoolOptions {
  /** Worker threads, started on demand (default 2). */
  size?: number;
  /** How long one test may run before its worker is terminated (default 250 ms). Time spent queued does not count. */
  budgetMs?: number;
  /** Tests allowed to wait for a worker; past it `test` rejects with reason `busy` (default: unbounded). */
  maxQueue?: number;
  /** Tests one tenant (workspace) may have waiting; past it its `test` rejects with reason `busy` (default 100). */
  maxQueuePerTenant?: number;
}

/** The tenant of a test that names none (a script, a unit test): it shares the pool without a cap. */
const NO_TENANT = "";

/**
 * Why a test has no result. `test` rejects with this (the engine turns a thrown error into a rule `error`):
 * - `failed`: the worker died without answering (e.g. out of memory) or the regex threw while running;
 *   reported as an error, not as a timeout, because the budget was not what stopped it;
 * - `closed`: the pool was closed before the test ran;
 * - `busy`: the queue was full (`maxQueue`).
 */
export class RegexRunnerError extends Error {
  override readonly name = "RegexRunnerError";
  constructor(
    readonly reason: "failed" | "closed" | "busy",
    message: string,
  ) {
    super(message);
  }
}

/** Main → worker: [source, flags, text]. */
type TaskMessage = [string, string, string];
/** Worker → main: 1 matched, 0 no match, a string the compile error, `{ error }` a failure while matching. */
type ResultMessage = 0 | 1 | string | { error: string };

interface WorkerInit {
  port: MessagePort;
  cacheSize: number;
}

/**
 * The worker's whole program. It is started from its `.toString()` with `eval: true`, so the same code runs
 * from the TS sources under jest/swc and from `dist`, with no separate worker file to locate. It must not use
 * anything from outside its own body (only `require`, which resolves inside the worker).
 */
/* istanbul ignore next -- run from its source text in the worker: coverage counters would not exist there */
function regexWorker(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { workerData } = require("node:worker_threads") as { workerData: WorkerInit };
  const { port, cacheSize } = workerData;
  // Run at the lowest CPU priority: a pattern burning its whole budget must not take cores from the threads
  // answering requests. Linux applies setpriority to one thread when given its thread id.
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("node:fs") as { readlinkSync(path: string): string };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const os = require("node:os") as { setPriority(pid: number, priority: number): void };
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    if (tid > 0) os.setPriority(tid, 19);
  } catch {
    // Not Linux, or not permitted: the budget still bounds the time.
  }
  // Least recently used first: a hit is moved to the end, an insert past the size drops the first key.
  const cache = new Map<string, RegExp>();
  port.on("message", (task: TaskMessage) => {
    const source = task[0];
    const flags = task[1];
    // Valid flags never contain "/", so the key is unambiguous for anything that compiles; invalid flags
    // containing "/" could alias a cached key ("i/x" + "y" vs "i" + "x/y"), so they bypass the cache.
    const key = flags.includes("/") ? null : flags + "/" + source;
    try {
      let re = key === null ? undefined : cache.get(key);
      if (re === undefined) {
        re = new RegExp(source, flags);
        if (key !== null) {
          if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
          cache.set(key, re);
        }
      } else {
        cache.delete(key!);
        cache.set(key!, re);
      }
      // `g`/`y` make `test` resume from `lastIndex`; every test starts from the beginning of its text.
      re.lastIndex = 0;
      port.postMessage(re.test(task[2]) ? 1 : 0);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // V8 may also report a compile error ("Regular expression too large") on first use, as a SyntaxError.
      if (err instanceof SyntaxError) {
        // V8 repeats the whole pattern (up to the rule's 10,000 chars); the caller shows it already.
        const echo = "Invalid regular expression: /" + source + "/" + flags + ": ";
        port.postMessage(message.startsWith(echo) ? "Invalid regular expression: " + message.slice(echo.length) : message);
      } else {
        port.postMessage({ error: message });
      }
    }
  });
  port.postMessage(0); // ready
}

const WORKER_SOURCE = `(${regexWorker.toString()})();`;
const CACHE_SIZE = 256;

// Results are shared, frozen objects: no allocation per answer.
const MATCHED: RegexTestResult = Object.freeze({ kind: "matched" });
const NO_MATCH: RegexTestResult = Object.freeze({ kind: "no_match" });

interface Task {
  tenant: string;
  message: TaskMessage;
  resolve: (result: RegexTestResult) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  port: MessagePort;
  state: "starting" | "idle" | "busy" | "dead";
  task: Task | null;
  /** One timer per worker, refreshed at each dispatch: it fires `budgetMs` after the latest task started. */
  timer: NodeJS.Timeout;
}

/**
 * Runs `RegExp#test` in a small pool of worker threads, one task in flight per worker so the budget timer
 * measures exactly that task; the rest wait here. A worker that overruns is terminated and replaced, and its
 * test answers `timeout`.
 *
 * Tenants (workspaces) share it fairly: each has its own FIFO queue, served in turn, a bound on how many of
 * its tests may wait, and at most all workers but one running its tests, so another tenant's test always
 * finds a worker free of the first tenant's catastrophic patterns.
 *
 * Workers never keep the process alive while idle: a worker is ref'd only while it is starting or running
 * a test (bounded by the budget), so a script awaiting a test still gets its answer.
 */
export class RegexPool implements RegexRunner {
  private readonly size: number;
  private readonly budgetMs: number;
  private readonly maxQueue: number;
  private readonly timeout: RegexTestResult;
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly maxQueuePerTenant: number;
  /** Waiting tests per tenant (FIFO each), and the tenants with waiting tests in the order they are served. */
  private readonly queues = new Map<string, Task[]>();
  private readonly turns: string[] = [];
  private waitingCount = 0;
  /** Tests running per tenant. */
  private readonly running = new Map<string, number>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: RegexPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? 2));
    const budgetMs = options.budgetMs ?? 250;
    this.maxQueue = options.maxQueue ?? Infinity;
    this.maxQueuePerTenant = options.maxQueuePerTenant ?? 100;
    this.budgetMs = budgetMs;
    this.timeout = Object.freeze({ kind: "timeout", budgetMs });
  }

  test(source: string, flags: string, text: string, tenant: string = NO_TENANT): Promise<RegexTestResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new RegexRunnerError("closed", "the regex runner is closed"));
      const task: Task = { tenant, message: [source, flags, text], resolve, reject };
      if (this.idle.length > 0 && this.mayRun(tenant) && !this.queues.has(tenant)) return this.dispatch(this.idle.pop()!, task);
      const queue = this.queues.get(tenant);
      if (this.waitingCount >= this.maxQueue || (tenant !== NO_TENANT && (queue?.length ?? 0) >= this.maxQueuePerTenant)) {
        return reject(new RegexRunnerError("busy", "too many regex tests of this workspace are waiting; try again shortly"));
      }
      if (queue) queue.push(task);
      else {
        this.queues.set(tenant, [task]);
        this.turns.push(tenant);
      }
      this.waitingCount++;
      if (this.slots.length < this.size) this.spawn();
    });
  }

  /** Whether one more of the tenant's tests may run: a named tenant never holds every worker (when there are two or more). */
  private mayRun(tenant: string): boolean {
    if (tenant === NO_TENANT || this.size < 2) return true;
    return (this.running.get(tenant) ?? 0) < this.size - 1;
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    const error = new RegexRunnerError("closed", "the regex runner was closed");
    const exits: Promise<unknown>[] = [];
    for (const slot of this.slots.slice()) {
      slot.task?.reject(error);
      exits.push(this.retire(slot));
    }
    for (let task = this.take(true); task; task = this.take(true)) task.reject(error);
    this.closing = Promise.all(exits).then(() => undefined);
    return this.closing;
  }

  private spawn(): void {
    const { port1, port2 } = new MessageChannel();
    const init: WorkerInit = { port: port2, cacheSize: CACHE_SIZE };
    const worker = new Worker(WORKER_SOURCE, { eval: true, name: "regex", workerData: init, transferList: [port2] });
    const timer = setTimeout(() => this.onTimer(slot), this.budgetMs).unref();
    const slot: Slot = { worker, port: port1, state: "starting", task: null, timer };
    port1.on("message", (message: ResultMessage) => this.onMessage(slot, message));
    port1.unref(); // a port with a listener is ref'd; liveness is the worker's ref, below
    worker.on("error", (err) => this.onCrash(slot, err));
    worker.on("exit", () => this.onCrash(slot, undefined));
    this.slots.push(slot);
  }

  private dispatch(slot: Slot, task: Task): void {
    if (slot.state === "idle") slot.worker.ref();
    slot.state = "busy";
    slot.task = task;
    this.running.set(task.tenant, (this.running.get(task.tenant) ?? 0) + 1);
    slot.timer.refresh();
    slot.port.postMessage(task.message);
  }

  /** Hands the worker the next queued task, or parks it. */
  private next(slot: Slot): void {
    const task = this.take();
    if (task !== undefined) return this.dispatch(slot, task);
    slot.state = "idle";
    slot.worker.unref();
    this.idle.push(slot);
  }

  private onMessage(slot: Slot, message: ResultMessage): void {
    if (slot.state === "starting") return this.next(slot); // the ready signal
    const task = slot.task;
    if (slot.state !== "busy" || task === null) return;
    this.finished(slot);
    this.next(slot);
    if (message === 1) task.resolve(MATCHED);
    else if (message === 0) task.resolve(NO_MATCH);
    else if (typeof message === "string") task.resolve({ kind: "invalid", message });
    else task.reject(new RegexRunnerError("failed", `the pattern failed while matching: ${message.error}`));
  }

  private onTimer(slot: Slot): void {
    if (slot.state !== "busy") return;
    // The answer may be waiting behind a busy main thread (timers run before messages are read): take it.
    const pending = receiveMessageOnPort(slot.port);
    if (pending !== undefined) return this.onMessage(slot, pending.message as ResultMessage);
    const task = slot.task!;
    void this.retire(slot);
    task.resolve(this.timeout);
    this.refill();
  }

  /** The worker died on its own (uncaught error, out of memory): its test fails rather than hangs. */
  private onCrash(slot: Slot, err: Error | undefined): void {
    if (slot.state === "dead") return;
    const starting = slot.state === "starting";
    const task = slot.task;
    void this.retire(slot);
    const error = new RegexRunnerError("failed", `the regex worker stopped unexpectedly${err ? ` (${err.message})` : ""}`);
    task?.reject(error);
    if (!starting) return this.refill();
    // A worker that cannot even start would fail again if respawned; once none is left, fail the queue.
    if (this.slots.length === 0) for (let t = this.take(true); t; t = this.take(true)) t.reject(error);
  }

  /** The slot's test is over (answered, timed out, or its worker died): its tenant runs one fewer. */
  private finished(slot: Slot): void {
    const tenant = slot.task?.tenant;
    slot.task = null;
    if (tenant === undefined) return;
    const left = (this.running.get(tenant) ?? 1) - 1;
    if (left > 0) this.running.set(tenant, left);
    else this.running.delete(tenant);
  }

  private retire(slot: Slot): Promise<number> {
    slot.state = "dead";
    this.finished(slot);
    clearTimeout(slot.timer);
    slot.port.close();
    this.slots.splice(this.slots.indexOf(slot), 1);
    const i = this.idle.indexOf(slot);
    if (i !== -1) this.idle.splice(i, 1);
    return slot.worker.terminate();
  }

  /** Starts a replacement when tests are waiting and the pool is short a worker. */
  private refill(): void {
    if (!this.closed && this.waitingCount > 0 && this.slots.length < this.size) this.spawn();
  }

  /**
   * The next test to run: the first tenant in turn that may run one more gives its oldest test and goes to
   * the back of the line (if it has more waiting). With `any`, the caps are ignored (closing the pool).
   */
  private take(any = false): Task | undefined {
    for (let i = 0; i < this.turns.length; i++) {
      const tenant = this.turns[i]!;
      if (!any && !this.mayRun(tenant)) continue;
      const queue = this.queues.get(tenant)!;
      const task = queue.shift()!;
      this.waitingCount--;
      this.turns.splice(i, 1);
      if (queue.length > 0) this.turns.push(tenant);
      else this.queues.delete(tenant);
      return task;
    }
    return undefined;
  }
}
