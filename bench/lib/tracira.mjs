import path from "node:path";
import { ROOT } from "./common.mjs";
import { dbUrl } from "./db.mjs";
import { startNode } from "./procs.mjs";

export const DEFAULT_SERVER = path.join(ROOT, "backend/dist/main.js");
export const DEFAULT_WORKER = path.join(ROOT, "backend/dist/worker-main.js");

/**
 * Benchmarks measure throughput, so the per-workspace rate limit (60/min by default) is off, and a fixed
 * secret key keeps the run from writing a key file into the repository's data folder.
 */
const baseEnv = (database, env) => ({
  DATABASE_URL: dbUrl(database),
  TRACIRA_LOG_LEVEL: "warn",
  NODE_ENV: "production",
  RATE_LIMIT_PER_MINUTE: "0",
  TRACIRA_SECRET_KEY: "YmVuY2gtb25seS1zZWNyZXQta2V5LTMyLWJ5dGVzISE",
  ...env,
});

/**
 * The built server on `database`, on a free port of 127.0.0.1, with a first workspace whose token is
 * `token`. `url` resolves once the banner is printed (the banner ends with the API reference line).
 */
export function startServer({ main, database, token, cpuProfDir, env = {} }) {
  return startNode({
    main,
    cpuProfDir,
    name: "server",
    ready: /Tracira is running at (http:\/\/127\.0\.0\.1:\d+)[\s\S]*API reference/,
    env: baseEnv(database, {
      HOST: "127.0.0.1",
      PORT: "0",
      PUBLIC_URL: "",
      TRACIRA_BOOTSTRAP_TOKEN: token,
      TRACIRA_BOOTSTRAP_WORKSPACE: "bench",
      TRACIRA_VALIDATE_RESPONSES: "false",
      ...env,
    }),
  });
}

/** `npm run worker` (evaluation workers only) on `database`. It prints nothing when ready: watch the database. */
export function startWorker({ main, database, cpuProfDir, env = {} }) {
  return startNode({ main, cpuProfDir, name: "worker", env: baseEnv(database, env) });
}
