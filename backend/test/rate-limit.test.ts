import { Redis } from "ioredis";
import type { Logger } from "../src/logger";
import { createRateLimiter, FailoverLimiter, MemoryWindow, RedisWindow, type RateLimiter } from "../src/ratelimit";
import { KEY_PREFIX } from "../src/ratelimit/redis-window";
import { freePort, startRedis, stopAllRedis, type RedisServer } from "./helpers/redis";

const closeAfter: RateLimiter[] = [];

function testLogger() {
  const lines = { warn: [] as string[], info: [] as string[] };
  const logger: Logger = {
    debug: () => undefined,
    info: (msg) => lines.info.push(msg),
    warn: (msg) => lines.warn.push(msg),
    error: (msg) => lines.warn.push(`error: ${msg}`),
  };
  return { logger, lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
let keySeq = 0;
const freshKey = () => `test-${process.pid}-${++keySeq}`;

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - start;
}

/** Runs `hit` and fails the test if it took longer than `maxMs`. */
async function quickHit(limiter: RateLimiter, key: string, limit: number, windowMs: number, maxMs = 500) {
  const start = performance.now();
  const decision = await limiter.hit(key, limit, windowMs);
  const took = performance.now() - start;
  expect(took).toBeLessThan(maxMs);
  return decision;
}

async function countAllowed(hits: Promise<{ allowed: boolean }>[]): Promise<number> {
  return (await Promise.all(hits)).filter((d) => d.allowed).length;
}

afterAll(async () => {
  await Promise.all(closeAfter.map((l) => l.close()));
  await stopAllRedis();
});

/** The window's properties, run against the in-memory and the Redis implementations. */
function windowProperties(make: () => RateLimiter) {
  const W = 400;
  let limiter: RateLimiter;
  beforeAll(() => {
    limiter = make();
  });

  test("exactly `limit` allowed, the next denied with remaining 0 and resetAt when the oldest leaves", async () => {
    const key = freshKey();
    const before = Date.now();
    const first = await limiter.hit(key, 3, W);
    expect(first).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
    expect(first.resetAt).toBeGreaterThanOrEqual(before + W);
    expect(first.resetAt).toBeLessThanOrEqual(Date.now() + W);
    expect(await limiter.hit(key, 3, W)).toMatchObject({ allowed: true, remaining: 1, resetAt: first.resetAt });
    expect(await limiter.hit(key, 3, W)).toMatchObject({ allowed: true, remaining: 0, resetAt: first.resetAt });
    expect(await limiter.hit(key, 3, W)).toEqual({ allowed: false, limit: 3, remaining: 0, resetAt: first.resetAt });
  });

  test("sliding: when the oldest request ages out exactly one more is allowed", async () => {
    const key = freshKey();
    const first = await limiter.hit(key, 3, W);
    await sleep(W / 2);
    // Timers may fire a millisecond early, so the second request's time is read rather than assumed.
    const beforeSecond = Date.now();
    await limiter.hit(key, 3, W);
    const afterSecond = Date.now();
    await limiter.hit(key, 3, W);
    expect((await limiter.hit(key, 3, W)).allowed).toBe(false);
    await sleep(first.resetAt - Date.now() + 20); // the first has left; the other two are still in
    const again = await limiter.hit(key, 3, W);
    expect(again).toMatchObject({ allowed: true, remaining: 0 });
    // The oldest counted is now the second request, about W/2 after the first.
    // (±2 ms: the Redis window stamps with Redis's clock.)
    expect(again.resetAt).toBeGreaterThanOrEqual(beforeSecond + W - 2);
    expect(again.resetAt).toBeLessThanOrEqual(afterSecond + W + 2);
    expect(again.resetAt - first.resetAt).toBeGreaterThanOrEqual(W / 2 - 5);
    expect(await limiter.hit(key, 3, W)).toEqual({ allowed: false, limit: 3, remaining: 0, resetAt: again.resetAt });
  });

  test("denied hits do not extend the block", async () => {
    const key = freshKey();
    const first = await limiter.hit(key, 3, W);
    await limiter.hit(key, 3, W);
    await limiter.hit(key, 3, W);
    let denied = 0;
    while (Date.now() < first.resetAt - 40) {
      const d = await limiter.hit(key, 3, W);
      expect(d.allowed).toBe(false);
      expect(d.resetAt).toBe(first.resetAt);
      denied++;
      await sleep(25);
    }
    expect(denied).toBeGreaterThan(5);
    await sleep(first.resetAt - Date.now() + 60);
    // All three counted requests have left; the hammering was not counted, so the window is empty.
    expect(await limiter.hit(key, 3, W)).toMatchObject({ allowed: true, remaining: 2 });
  });

  test("keys are independent", async () => {
    const a = freshKey();
    const b = freshKey();
    for (let i = 0; i < 2; i++) await limiter.hit(a, 2, W);
    expect((await limiter.hit(a, 2, W)).allowed).toBe(false);
    expect(await limiter.hit(b, 2, W)).toMatchObject({ allowed: true, remaining: 1 });
  });
}

describe("memory window", () => {
  windowProperties(() => new MemoryWindow());

  test("boundaries are exact (explicit clock)", () => {
    const w = new MemoryWindow();
    expect(w.hitAt("k", 3, 1000, 1000)).toEqual({ allowed: true, limit: 3, remaining: 2, resetAt: 2000 });
    expect(w.hitAt("k", 3, 1000, 1100)).toEqual({ allowed: true, limit: 3, remaining: 1, resetAt: 2000 });
    expect(w.hitAt("k", 3, 1000, 1200)).toEqual({ allowed: true, limit: 3, remaining: 0, resetAt: 2000 });
    expect(w.hitAt("k", 3, 1000, 1999)).toEqual({ allowed: false, limit: 3, remaining: 0, resetAt: 2000 });
    // At 2000 the request of 1000 has left (same boundary as ZREMRANGEBYSCORE -inf now-window).
    expect(w.hitAt("k", 3, 1000, 2000)).toEqual({ allowed: true, limit: 3, remaining: 0, resetAt: 2100 });
    expect(w.hitAt("k", 3, 1000, 2050)).toEqual({ allowed: false, limit: 3, remaining: 0, resetAt: 2100 });
  });

  test("idle keys are pruned", async () => {
    const w = new MemoryWindow({ sweepIntervalMs: 0 });
    for (const k of ["a", "b", "c"]) await w.hit(k, 5, 100);
    expect(w.size).toBe(3);
    await sleep(150);
    await w.hit("d", 5, 100);
    expect(w.size).toBe(1);
  });

  test("the number of keys is capped, forgetting the least recently hit", () => {
    const w = new MemoryWindow({ maxKeys: 2 });
    w.hitAt("a", 1, 1000, 0);
    w.hitAt("b", 1, 1000, 1);
    expect(w.hitAt("a", 1, 1000, 2).allowed).toBe(false); // a is now the most recent
    w.hitAt("c", 1, 1000, 3); // evicts b
    expect(w.size).toBe(2);
    expect(w.hitAt("a", 1, 1000, 4).allowed).toBe(false);
    expect(w.hitAt("b", 1, 1000, 5).allowed).toBe(true);
  });

  test("filling the map with new keys does not make it forget a key it is refusing", () => {
    const w = new MemoryWindow({ maxKeys: 3 });
    w.hitAt("locked", 2, 60_000, 0);
    w.hitAt("locked", 2, 60_000, 1);
    expect(w.hitAt("locked", 2, 60_000, 2).allowed).toBe(false);
    for (let i = 0; i < 10_000; i++) w.hitAt(`spray-${i}`, 10, 60_000, 3 + i / 1000);
    expect(w.size).toBe(3);
    expect(w.hitAt("locked", 2, 60_000, 20).allowed).toBe(false);
  });

  test("createRateLimiter without a Redis URL counts in memory", async () => {
    const { logger } = testLogger();
    const limiter = createRateLimiter({ logger });
    expect(limiter).toBeInstanceOf(MemoryWindow);
    await limiter.close();
  });
});

describe("redis window", () => {
  let redis: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await Promise.all(closeAfter.splice(0).map((l) => l.close())); // while their server still answers QUIT
    admin.disconnect();
    await redis.kill();
  });

  windowProperties(() => {
    const w = new RedisWindow(new Redis(redis.url));
    closeAfter.push(w);
    return w;
  });

  test("two instances sharing one Redis: 100 concurrent hits, limit 60 → exactly 60 allowed", async () => {
    const one = new RedisWindow(new Redis(redis.url));
    const two = new RedisWindow(new Redis(redis.url));
    try {
      const key = freshKey();
      const hits = Array.from({ length: 100 }, (_, i) => (i % 2 ? one : two).hit(key, 60, 60_000));
      expect(await countAllowed(hits)).toBe(60);
      // Only allowed requests are stored, under the prefix, expiring with the window.
      expect(await admin.zcard(KEY_PREFIX + key)).toBe(60);
      const ttl = await admin.pttl(KEY_PREFIX + key);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  test("works after the server forgets the script (EVALSHA falls back to EVAL)", async () => {
    const w = new RedisWindow(new Redis(redis.url));
    try {
      const key = freshKey();
      expect((await w.hit(key, 2, 10_000)).allowed).toBe(true);
      await admin.script("FLUSH");
      expect(await w.hit(key, 2, 10_000)).toMatchObject({ allowed: true, remaining: 0 });
      expect((await w.hit(key, 2, 10_000)).allowed).toBe(false);
    } finally {
      await w.close();
    }
  });
});

describe("failover", () => {
  test("Redis killed: answers quickly from memory, warns once; restarted: back to shared limits, info once", async () => {
    let redis = await startRedis();
    const a = testLogger();
    const b = testLogger();
    const one = new FailoverLimiter(redis.url, a.logger);
    const two = new FailoverLimiter(redis.url, b.logger);
    closeAfter.push(one, two);
    await waitFor("both connected", () => one.usingRedis && two.usingRedis);

    const shared = freshKey();
    expect(await countAllowed(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).hit(shared, 10, 60_000)))).toBe(10);

    await redis.kill("SIGKILL");
    const local = freshKey();
    let allowedOne = 0;
    let allowedTwo = 0;
    for (let i = 0; i < 15; i++) {
      if ((await quickHit(one, local, 10, 60_000)).allowed) allowedOne++;
      if ((await quickHit(two, local, 10, 60_000)).allowed) allowedTwo++;
    }
    // Each instance limits on its own while Redis is gone.
    expect([allowedOne, allowedTwo]).toEqual([10, 10]);
    await sleep(1_000); // reconnect attempts keep failing meanwhile
    for (let i = 0; i < 5; i++) await quickHit(one, local, 10, 60_000);
    expect(a.lines.warn).toHaveLength(1);
    expect(a.lines.warn[0]).toMatch(/Redis unavailable.*per instance/);
    expect(b.lines.warn).toHaveLength(1);
    expect(a.lines.info).toHaveLength(0);

    redis = await startRedis(redis.port);
    const back = await waitFor("both back on Redis", () => one.usingRedis && two.usingRedis);
    expect(back).toBeLessThan(5_000);
    expect(a.lines.info).toEqual([expect.stringMatching(/Redis is back/)]);
    expect(b.lines.info).toHaveLength(1);

    const again = freshKey();
    expect(await countAllowed(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).hit(again, 10, 60_000)))).toBe(10);
    expect(a.lines.warn).toHaveLength(1);

    await Promise.all([one.close(), two.close()]);
    await redis.kill();
    expect(a.lines.warn).toHaveLength(1); // closing is not an outage
  });

  test("a paused (unresponsive) Redis costs each request at most the command timeout", async () => {
    const redis = await startRedis();
    const { logger, lines } = testLogger();
    const limiter = new FailoverLimiter(redis.url, logger);
    closeAfter.push(limiter);
    await waitFor("connected", () => limiter.usingRedis);
    try {
      redis.child.kill("SIGSTOP");
      const key = freshKey();
      const started = Date.now();
      let allowed = 0;
      // Long enough for the socket timeout to drop the connection.
      while (Date.now() - started < 3_000) if ((await quickHit(limiter, key, 10, 60_000)).allowed) allowed++;
      expect(allowed).toBe(10);
      expect(lines.warn).toHaveLength(1);
      redis.child.kill("SIGCONT");
      await waitFor("back on Redis", () => limiter.usingRedis);
      expect(lines.info).toHaveLength(1);
      expect((await limiter.hit(freshKey(), 10, 60_000)).remaining).toBe(9);
    } finally {
      redis.child.kill("SIGCONT");
      await limiter.close();
      await redis.kill();
    }
  });

  test("started with an unreachable Redis: works from memory at once, switches to Redis when it appears", async () => {
    const port = await freePort();
    const { logger, lines } = testLogger();
    const limiter = createRateLimiter({ redisUrl: `redis://127.0.0.1:${port}`, logger });
    closeAfter.push(limiter);
    expect(limiter).toBeInstanceOf(FailoverLimiter);
    const failover = limiter as FailoverLimiter;

    const key = freshKey();
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await quickHit(limiter, key, 3, 60_000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    await waitFor("the outage warning", () => lines.warn.length > 0);
    expect(lines.warn).toHaveLength(1);

    const redis = await startRedis(port);
    const admin = new Redis(redis.url);
    try {
      await waitFor("on Redis", () => failover.usingRedis);
      expect(lines.info).toHaveLength(1);
      const onRedis = freshKey();
      expect(await limiter.hit(onRedis, 3, 60_000)).toMatchObject({ allowed: true, remaining: 2 });
      expect(await admin.zcard(KEY_PREFIX + onRedis)).toBe(1);
    } finally {
      admin.disconnect();
      await limiter.close();
      await redis.kill();
    }
  });
});
