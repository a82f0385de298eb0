import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { RateDecision, RateLimiter } from "./types";

export const KEY_PREFIX = "tracira:rl:";

/**
 * An exact sliding log in a sorted set (score = request time in ms), checked and updated atomically.
 * Time comes from the Redis server, so instances whose clocks disagree still share one window.
 * KEYS[1] the key; ARGV[1] limit, ARGV[2] window ms, ARGV[3] a member unique to this request.
 * Returns { allowed 1|0, remaining, resetAt ms }.
 */
const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local remaining = 0
if allowed == 1 then remaining = limit - count end
local resetAt = now + window
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then resetAt = tonumber(oldest[2]) + window end
return { allowed, remaining, resetAt }
`;

const COMMAND = "traciraSlidingWindow";

interface WithScript {
  [COMMAND](key: string, limit: number, windowMs: number, member: string): Promise<unknown>;
}

/** The shared window. Errors (connection down, timeouts) reach the caller; see FailoverLimiter. */
export class RedisWindow implements RateLimiter {
  private readonly memberPrefix = randomBytes(6).toString("hex");
  private seq = 0;

  /** Takes ownership of `redis`: close() ends it. */
  constructor(readonly redis: Redis) {
    // defineCommand sends EVALSHA and falls back to EVAL when the server does not know the script.
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const member = `${this.memberPrefix}:${++this.seq}`;
    const reply = await (this.redis as unknown as WithScript)[COMMAND](KEY_PREFIX + key, Math.floor(limit), Math.ceil(windowMs), member);
    if (!Array.isArray(reply) || reply.length !== 3 || !reply.every((n) => typeof n === "number")) {
      throw new Error(`unexpected rate limit script reply: ${JSON.stringify(reply)}`);
    }
    const [allowed, remaining, resetAt] = reply as [number, number, number];
    return { allowed: allowed === 1, limit, remaining, resetAt };
  }

  close(): Promise<void> {
    return closeRedis(this.redis);
  }
}

/** QUIT when the connection is up and answers quickly; otherwise (or after `waitMs`) just drop the socket. */
export async function closeRedis(redis: Redis, waitMs = 500): Promise<void> {
  if (redis.status === "end") return;
  if (redis.status === "ready") {
    let timer: NodeJS.Timeout | undefined;
    const quit = redis.quit().then(
      () => true,
      () => false,
    );
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)));
    const quitted = await Promise.race([quit, late]);
    clearTimeout(timer);
    if (quitted) return;
  }
  redis.disconnect();
}
