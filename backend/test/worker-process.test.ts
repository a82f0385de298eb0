import { spawn } from "node:child_process";
import path from "node:path";
import { Client } from "pg";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startServerProcess, type ServerProcess } from "./helpers/process";
import { TEST_ENV, waitForFinal } from "./helpers/server";
import { until } from "./helpers/until";

/** `npm run worker`: evaluation apart from the API, as separate processes sharing one Postgres. */
jest.setTimeout(120_000);

const WORKER_JS = path.resolve(__dirname, "../dist/worker-main.js");
const TOKEN = "wh-workerprocesstest_0123456789abcdefghijkl";

let db: TestDatabase;
const children: { kill(signal: NodeJS.Signals): unknown }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await db?.drop();
});

function startWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, [WORKER_JS], {
    env: { ...process.env, TRACIRA_LOG_LEVEL: "info", TRACIRA_SECRET_KEY: TEST_ENV.TRACIRA_SECRET_KEY!, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, stderr: () => err, exited };
}

test("an API-only server (TRACIRA_WORKER=false) plus two `npm run worker` processes evaluate every log", async () => {
  const api: ServerProcess = await startServerProcess({ DATABASE_URL: db.url, TRACIRA_BOOTSTRAP_TOKEN: TOKEN, TRACIRA_WORKER: "false" });
  children.push(api);
  const call = api.call(TOKEN);
  expect((await call("POST", "/api/rules", { name: "Polite", type: "keyword_required", value: "thanks" })).status).toBe(201);

  const ids: string[] = [];
  for (let i = 0; i < 40; i++) ids.push((await call("POST", "/api/logs", { project: "split", output: i % 2 ? "thanks!" : "no" })).body.id);
  await new Promise((r) => setTimeout(r, 300));
  // Nothing evaluates them yet: the API instance runs no worker.
  expect((await call("GET", "/api/logs?project=split&status=pending&limit=1")).body.total).toBe(40);

  const workers = [
    startWorker({ DATABASE_URL: db.url, TRACIRA_WORKER_POLL_MS: "50", TRACIRA_ROLLUP_FOLD_MS: "100" }),
    startWorker({ DATABASE_URL: db.url, TRACIRA_WORKER_POLL_MS: "50", TRACIRA_ROLLUP_FOLD_MS: "100" }),
  ];
  const statuses = await Promise.all(ids.map((id) => waitForFinal(call, id, 30_000)));
  expect(statuses.filter((s) => s === "pass")).toHaveLength(20);
  expect(statuses.filter((s) => s === "flagged")).toHaveLength(20);

  // The workers also fold the rollups' deltas (the API instance runs no loop): none is left pending.
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  try {
    await until("the workers to fold the rollup deltas", async () => {
      const { rows } = await pg.query<{ n: number }>("SELECT count(*)::int AS n FROM log_count_deltas");
      return rows[0]!.n === 0 ? true : undefined;
    });
  } finally {
    await pg.end();
  }

  // A SIGTERM stops a running worker cleanly.
  const started = Date.now();
  while (!/evaluation worker and delivery sender started/.test(workers[0]!.stderr()) && Date.now() - started < 20_000)
    await new Promise((r) => setTimeout(r, 50));
  workers[0]!.child.kill("SIGTERM");
  expect(await workers[0]!.exited).toBe(0);
  expect(workers[0]!.stderr()).toMatch(/evaluation worker and delivery sender started/);
  await api.kill("SIGTERM");
});

test("`npm run worker` without DATABASE_URL says why it cannot run", async () => {
  const worker = startWorker({ DATABASE_URL: "" }); // empty counts as unset
  const code = await worker.exited;
  expect(code).toBe(1);
  expect(worker.stderr()).toMatch(/npm run worker needs DATABASE_URL/);
});
