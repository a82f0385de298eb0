import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { callerFor, TEST_ENV, type Call } from "./server";

export const MAIN_JS = path.resolve(__dirname, "../../dist/main.js");

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** The token printed on a first start (undefined on later starts). */
  printedToken: string | undefined;
  stdout: () => string;
  call(token: string): Call;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

const REPO_ROOT = path.resolve(__dirname, "../../..");

/**
 * Starts the built server (`node backend/dist/main.js`) and waits for its banner. With `viaNpmStart`,
 * runs exactly what the README says, `npm start` in the repository root, in a process group of its own.
 */
export async function startServerProcess(
  env: Record<string, string>,
  { timeoutMs = 60_000, viaNpmStart = false } = {},
): Promise<ServerProcess> {
  if (!viaNpmStart && !fs.existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build first (npm run build)`);
  const child = spawn(viaNpmStart ? "npm" : process.execPath, viaNpmStart ? ["start"] : [MAIN_JS], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      TRACIRA_LOG_LEVEL: "warn",
      // `npm start` runs as the README says: the embedded default makes its own key.
      ...(viaNpmStart
        ? {}
        : {
            TRACIRA_SECRET_KEY: TEST_ENV.TRACIRA_SECRET_KEY!,
            RATE_LIMIT_PER_MINUTE: TEST_ENV.RATE_LIMIT_PER_MINUTE!,
            TRACIRA_ALLOW_PRIVATE_URLS: "true",
          }),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: viaNpmStart,
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}\n${err}`)), timeoutMs);
    const check = () => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes("API reference")) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${code}:\n${out}\n${err}`), { stdout: out, stderr: err, code }));
    });
  });
  return {
    child,
    url,
    printedToken: /^\s+(wh-[A-Za-z0-9_-]+)\s*$/m.exec(out)?.[1],
    stdout: () => out,
    call: (token) => callerFor(url, token),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) {
        if (viaNpmStart)
          process.kill(-child.pid!, signal); // npm, turbo and node: the whole group
        else child.kill(signal);
      }
      return exited;
    },
  };
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and stderr. */
export function runExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN_JS], {
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
