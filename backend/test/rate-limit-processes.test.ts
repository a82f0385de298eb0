import { Redis } from "ioredis";
import { KEY_PREFIX } from "../src/ratelimit/redis-window";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startServerProcess, type ServerProcess } from "./helpers/process";
import { startRedis, stopAllRedis, type RedisServer } from "./helpers/redis";
import { startTestServerOn, type ApiResponse, type Call } from "./helpers/server";

/**
 * The rate limit and token rotation across instances: two real server processes on two ports, one
 * Postgres, one Redis (started here, so it can be stopped and started again).
 */
jest.setTimeout(120_000);

const TOKEN = "wh-ratelimitprocesses_0123456789abcdefghijk";
let db: TestDatabase;
let redis: RedisServer;
let a: ServerProcess;
let b: ServerProcess;
/** The token after the rotation test. */
let rotatedToken: string;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await startRedis();
  const env = { DATABASE_URL: db.url, REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: "60", TRACIRA_BOOTSTRAP_TOKEN: TOKEN };
  a = await startServerProcess(env);
  b = await startServerProcess(env);
});
afterAll(async () => {
  await a?.kill("SIGKILL");
  await b?.kill("SIGKILL");
  await stopAllRedis();
  await db?.drop();
});

const log = (call: Call, i: number) => call("POST", "/api/logs", { project: "limited", output: `log ${i}` });

/** Sends `count` logs alternating between the callers, `parallel` at a time. */
async function burst(callers: Call[], count: number, parallel = 10): Promise<ApiResponse[]> {
  const answers: ApiResponse[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, j) => log(callers[(i + j) % callers.length]!, i + j));
    answers.push(...(await Promise.all(batch)));
  }
  return answers;
}

const statuses = (answers: ApiResponse[]) => answers.map((r) => r.status);
const count = (answers: ApiResponse[], status: number) => answers.filter((r) => r.status === status).length;

test("100 requests over two instances inside a minute: exactly 60 accepted; the 429s are the reference's; headers on every answer", async () => {
  const started = Date.now();
  const answers = await burst([a.call(TOKEN), b.call(TOKEN)], 100);
  expect(Date.now() - started).toBeLessThan(50_000);
  expect(count(answers, 200)).toBe(60);
  expect(count(answers, 429)).toBe(40);
  expect(statuses(answers).filter((s) => s !== 200 && s !== 429)).toEqual([]);

  for (const res of answers) {
    expect(res.headers.get("x-ratelimit-limit")).toBe("60");
    const reset = Number(res.headers.get("x-ratelimit-reset"));
    expect(reset * 1000).toBeGreaterThan(Date.now());
    expect(reset * 1000).toBeLessThanOrEqual(Date.now() + 61_000);
  }
  const remaining = answers.filter((r) => r.status === 200).map((r) => Number(r.headers.get("x-ratelimit-remaining")));
  expect(remaining.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
  const refused = answers.find((r) => r.status === 429)!;
  expect(refused.headers.get("retry-after")).toBe("60");
  expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
  expect(refused.body).toEqual({ error: "Too many requests. Please slow down and try again shortly.", code: "rate_limited" });

  // Other routes are not limited, and sync logs count against the same limit.
  expect((await a.call(TOKEN)("GET", "/api/logs?limit=1")).status).toBe(200);
  expect((await b.call(TOKEN)("POST", "/api/logs", { project: "limited", output: "x", sync: true })).status).toBe(429);
});

test("after a rotation on one instance, the old token is refused on the other at once", async () => {
  const rotated = await a.call(TOKEN)("POST", "/api/settings/rotate-token");
  expect(rotated.status).toBe(200);
  const fresh = rotated.body.webhookToken as string;
  const old = await b.call(TOKEN)("GET", "/api/verify");
  expect(old.status).toBe(401);
  expect(old.body.error).toMatch(/rotated/);
  expect((await b.call(fresh)("GET", "/api/verify")).status).toBe(200);
  // The window belongs to the workspace, not the token: a new token does not reset it.
  expect((await b.call(fresh)("POST", "/api/logs", { project: "limited", output: "x" })).status).toBe(429);
  rotatedToken = fresh;
});

test("Redis stopped: requests are still answered, limited per instance; when Redis returns, limiting is global again", async () => {
  const token = rotatedToken;
  const callA = a.call(token);
  const callB = b.call(token);
  const workspaceId = (await callA("GET", "/api/settings")).body.id as string;

  await redis.kill("SIGKILL");
  const started = Date.now();
  const onA = await burst([callA], 70);
  expect(Date.now() - started).toBeLessThan(20_000);
  // Each instance counts on its own while Redis is away (its own window was empty).
  expect(count(onA, 200)).toBe(60);
  expect(count(onA, 429)).toBe(10);
  expect((await callB("GET", "/api/verify")).status).toBe(200);

  // Redis back (empty: it kept nothing on disk). Wait until both instances write to it again.
  redis = await startRedis(redis.port);
  const probe = new Redis(redis.url);
  try {
    const key = `${KEY_PREFIX}ingest:${workspaceId}`;
    for (const call of [callA, callB]) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const before = await probe.zcard(key);
        await log(call, -1);
        if ((await probe.zcard(key)) > before) break;
        if (Date.now() > deadline) throw new Error("an instance did not return to Redis");
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const counted = await probe.zcard(key);
    const answers = await burst([callA, callB], 100);
    expect(count(answers, 200)).toBe(60 - counted);
    expect(await probe.zcard(key)).toBe(60);
  } finally {
    probe.disconnect();
  }
});

test("without REDIS_URL (the embedded default) the server limits in process: the 61st log in a minute is refused", async () => {
  const server = await startTestServerOn("pglite", { RATE_LIMIT_PER_MINUTE: "60" });
  try {
    const answers = await burst([server.call], 61);
    expect(
      statuses(answers)
        .slice(0, 60)
        .every((s) => s === 200),
    ).toBe(true);
    expect(answers[60]).toMatchObject({ status: 429, body: { code: "rate_limited" } });
    expect(answers[60]!.headers.get("retry-after")).toBe("60");
  } finally {
    await server.close();
  }
});
