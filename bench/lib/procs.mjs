import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { ROOT } from "./common.mjs";

/** Set by Ctrl-C / SIGTERM: load loops and waits stop, tools are stopped, and the run ends through its cleanup. */
export let aborted = false;

/** Everything started here that must not outlive the run: `stop()` each at cleanup. */
const running = new Set();

export function stopIfAborted() {
  if (aborted) throw new Error("interrupted");
}

/** First Ctrl-C: stop the tools (pgbench) and let the run unwind through its cleanup; a second one leaves at once. */
export function handleSignals() {
  const onSignal = (signal) => {
    if (aborted) process.exit(130);
    aborted = true;
    console.error(`\n${signal}: stopping, then cleaning up (Ctrl-C again to leave at once)…`);
    for (const child of running) if (child.isTool) child.kill();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Stops every process still running (servers, workers, tools). */
export async function stopAll() {
  await Promise.all([...running].map((p) => p.stop().catch((e) => console.error(`could not stop pid ${p.pid}: ${e.message}`))));
}

/** Runs a tool to completion (SIGKILL after `timeoutMs`); resolves with its output, rejects on a non-zero exit. */
export function run(cmd, args, { timeoutMs, env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise((r) => child.once("exit", r));
    const handle = { pid: child.pid, isTool: true, kill: () => child.kill("SIGTERM"), stop: async () => (child.kill("SIGKILL"), exited) };
    running.add(handle);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-20_000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      running.delete(handle);
      reject(e);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      running.delete(handle);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${cmd} failed (${signal ?? code}):\n${stderr}\n${stdout}`));
    });
  });
}

/**
 * Starts a Node program (`main`) as a child. `ready` (a regex over its output) resolves `url` with the
 * first capture group once it appears; without it, `url` never resolves. The output is kept (last 20 kB)
 * for error messages. `stop()` sends SIGTERM (the programs finish their work, close their pools and exit,
 * writing a CPU profile if asked), SIGKILL after 15 s.
 */
export function startNode({ main, env, cpuProfDir, ready, name = "process" }) {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
  const nodeArgs = cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfDir] : [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const url = new Promise((resolve, reject) => {
    const timer = ready && setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      if (output.length > 20_000) output = output.slice(-20_000);
      const m = ready?.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  url.catch(() => undefined);
  const handle = {
    pid: child.pid,
    alive,
    url,
    output: () => output,
    async stop() {
      if (alive()) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}
