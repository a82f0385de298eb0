import { Client } from "pg";
import { startFakeLlm, type FakeLlm } from "./helpers/fake-llm";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startServerProcess, type ServerProcess } from "./helpers/process";
import { until } from "./helpers/until";

/**
 * Evaluation leases with the default settings: short (so a crashed process's logs are free again within
 * seconds, not after half a minute) and renewed by a heartbeat (so a judge slower than the lease is still
 * evaluated once). Real server processes on one Postgres; the judge is the fake provider.
 */
jest.setTimeout(120_000);

const TOKEN = "wh-leaserecoverytest_0123456789abcdefghijkl";
let db: TestDatabase;
let fake: FakeLlm;
let pg: Client;
const processes: ServerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeLlm();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});
afterAll(async () => {
  for (const p of processes) await p.kill("SIGKILL");
  await pg?.end();
  await fake?.close();
  await db?.drop();
});

async function start(): Promise<ServerProcess> {
  // No TRACIRA_EVAL_LEASE_MS: the defaults are what is tested.
  const p = await startServerProcess({
    DATABASE_URL: db.url,
    TRACIRA_BOOTSTRAP_TOKEN: TOKEN,
    TRACIRA_WORKER_POLL_MS: "100",
    OPENAI_API_KEY: "sk-lease-test",
    OPENAI_BASE_URL: `${fake.url}/v1`,
    TRACIRA_JUDGE_TIMEOUT_MS: "30000",
  });
  processes.push(p);
  return p;
}

const leaseOf = async (id: string) =>
  (
    await pg.query<{ owner: string | null; seconds_left: number | null; status: string }>(
      `SELECT eval_lease_owner AS owner, EXTRACT(EPOCH FROM eval_lease_until - now())::float8 AS seconds_left, status FROM logs WHERE id = $1`,
      [id],
    )
  ).rows[0];

/** A judge rule for `task` with the fake model, and one log for it. */
async function judgedLog(p: ServerProcess, id: string, task: string, model: string) {
  const rule = {
    name: `Judge ${task}`,
    type: "llm_judge",
    value: "Is polite",
    taskName: task,
    llmJudgeProvider: "openai",
    llmJudgeModel: model,
  };
  expect((await p.call(TOKEN)("POST", "/api/rules", rule)).status).toBe(201);
  expect((await p.call(TOKEN)("POST", "/api/logs", { id, project: "leases", task, output: "Thank you!" })).status).toBe(200);
}

/** The log once it left pending. */
const finalOf = (id: string) =>
  until(
    `${id} to be evaluated`,
    async () => {
      const lease = await leaseOf(id);
      return lease && lease.status !== "pending" ? lease : undefined;
    },
    60_000,
  );

test("a judge slower than the lease: the heartbeat keeps the lease, a second worker does not evaluate it again", async () => {
  const a = await start();
  const b = await start();
  await judgedLog(a, "slow-1", "slow", "fake-slow-9000");
  const final = await finalOf("slow-1");
  expect(final.status).toBe("pass");
  expect(fake.callsFor("fake-slow-9000")).toHaveLength(1);
  await a.kill("SIGKILL");
  await b.kill("SIGKILL");
});

test("a crashed process's claimed log is free again within seconds (a short lease), and another process evaluates it", async () => {
  fake.reset();
  const a = await start();
  await judgedLog(a, "crash-1", "crash", "fake-slow-3000");
  await until("crash-1 to be claimed and judged", () => (fake.callsFor("fake-slow-3000").length > 0 ? true : undefined), 60_000);
  const held = (await leaseOf("crash-1"))!;
  expect(held.owner).not.toBeNull();
  await a.kill("SIGKILL");
  // What a crash leaves: the lease runs out within the default (6 s), not after half a minute.
  expect(held.seconds_left).toBeGreaterThan(0);
  expect(held.seconds_left).toBeLessThanOrEqual(6.5);

  const b = await start();
  const final = await finalOf("crash-1");
  expect(final.status).toBe("pass");
  await b.kill("SIGKILL");
});
