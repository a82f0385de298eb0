import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { RegexRunner, RegexTestResult } from "../types";

export interface RegexPoolOptions {
  /** Worker threads, started on demand (default 2). */
  size?: number;
  /** How long one test may run before its worker is terminated (default 250 ms). Time spent queued does not count. */
  budgetMs?: number;
  /** Tests allowed to wait for a worker; past it `test` rejects with reason `busy` (default: unbounded). */
  maxQueue?: number;
}

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
 * measures exactly that task; the rest wait in a FIFO queue here. A worker that overruns is terminated and
 * replaced, and its test answers `timeout`.
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
  /** FIFO: entries before `head` are taken. */
  private queue: (Task | undefined)[] = [];
  private head = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: RegexPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? 2));
    const budgetMs = options.budgetMs ?? 250;
    this.maxQueue = options.maxQueue ?? Infinity;
    this.budgetMs = budgetMs;
    this.timeout = Object.freeze({ kind: "timeout", budgetMs });
  }

  test(source: string, flags: string, text: string): Promise<RegexTestResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new RegexRunnerError("closed", "the regex runner is closed"));
      const task: Task = { message: [source, flags, text], resolve, reject };
      const slot = this.idle.pop();
      if (slot !== undefined) return this.dispatch(slot, task);
      if (this.queue.length - this.head >= this.maxQueue) {
        return reject(new RegexRunnerError("busy", "too many regex tests are waiting; try again shortly"));
      }
      this.queue.push(task);
      if (this.slots.length < this.size) this.spawn();
    });
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
    for (let task = this.take(); task; task = this.take()) task.reject(error);
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
    slot.task = null;
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
    if (this.slots.length === 0) for (let t = this.take(); t; t = this.take()) t.reject(error);
  }

  private retire(slot: Slot): Promise<number> {
    slot.state = "dead";
    slot.task = null;
    clearTimeout(slot.timer);
    slot.port.close();
    this.slots.splice(this.slots.indexOf(slot), 1);
    const i = this.idle.indexOf(slot);
    if (i !== -1) this.idle.splice(i, 1);
    return slot.worker.terminate();
  }

  /** Starts a replacement when tests are waiting and the pool is short a worker. */
  private refill(): void {
    if (!this.closed && this.head < this.queue.length && this.slots.length < this.size) this.spawn();
  }

  private take(): Task | undefined {
    if (this.head === this.queue.length) return undefined;
    const task = this.queue[this.head];
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return task;
  }
}
