import { Evaluator } from "../src/evaluation/evaluator";
import { LeaseKeeper } from "../src/evaluation/lease-keeper";
import { RegexPool } from "../src/evaluation/regex/regex-pool";
import { claimPending } from "../src/evaluation/store";
import type { EngineDeps, Judge, JudgeResult } from "../src/evaluation/types";
import { EvaluationWorker } from "../src/evaluation/worker";
import { createLogger } from "../src/logger";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { Outbox } from "../src/deliveries/outbox";

/**
 * Worker semantics with the real database: leases, late workers, renewal, graceful stop, give-up.
 * Judges here are small in-test implementations of our own `Judge` interface, so a test can hold an
 * evaluation open exactly as long as it needs (the SDK path is tested in llm-judge tests).
 */
let db: TestDatabase;
let server: TestServer;
const regex = new RegexPool({ size: 1, budgetMs: 500 });
const logger = createLogger("silent");
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // The server's own worker is off: each test runs the workers it needs.
  server = await startTestServer({ DATABASE_URL: db.url, TRACIRA_WORKER: "false" });
  const rule = await server.call("POST", "/api/rules", { name: "Judge", type: "llm_judge", value: "Polite?", llmJudgeModel: "m" });
  expect(rule.status).toBe(201);
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await server.running.deps.db.sql.query(`DELETE FROM logs`);
});
afterAll(async () => {
  await server?.close();
  await regex.close();
  await db?.drop();
});

const sql = () => server.running.deps.db.sql;

/** A judge that answers `result` once `release()` is called (or at once when not held), counting calls. */
function heldJudge(result: JudgeResult, held = true) {
  let release!: () => void;
  const gate = held ? new Promise<void>((r) => (release = r)) : Promise.resolve();
  const calls: string[] = [];
  const judge: Judge = {
    judge: async (req, signal) => {
      calls.push(req.output);
      await Promise.race([gate, new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted"))))]);
      return result;
    },
  };
  return { judge, calls, release: () => release?.() };
}

const BY = { provider: "openai", model: "fake-model" } as const;
const PASS: JudgeResult = { ok: true, verdict: { pass: true, confidence: 0.9, explanation: "fine" }, judgedBy: BY };
const FAIL: JudgeResult = { ok: true, verdict: { pass: false, confidence: 0.7, explanation: "rude" }, judgedBy: BY };

function worker(judge: Judge, options: { leaseMs?: number; maxAttempts?: number; pollMs?: number; maxHandedOver?: number } = {}) {
  const engine: EngineDeps = { regex, judge };
  const evaluator = new Evaluator(sql(), engine, { maxAttempts: options.maxAttempts ?? 5 }, new Outbox());
  const leases = new LeaseKeeper(sql(), logger, options.leaseMs ?? 30_000);
  const w = new EvaluationWorker(sql(), evaluator, leases, logger, {
    concurrency: 8,
    batchSize: 8,
    pollMs: options.pollMs ?? 20,
    maxHandedOver: options.maxHandedOver,
  });
  stops.push(() => w.stop(0));
  return { worker: w, evaluator, leases };
}

async function postLog(output = "Hello, how can I help?") {
  const res = await server.call("POST", "/api/logs", { project: "worker", output });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

const row = async (id: string) =>
  (
    await sql().query<{ status: string; explanation: string | null; eval_attempts: number; eval_lease_until: Date | null }>(
      `SELECT status, explanation, eval_attempts, eval_lease_until FROM logs WHERE id = $1`,
      [id],
    )
  )[0]!;

async function until(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("condition not met in time");
}

test("a worker evaluates a pending log and writes its final status", async () => {
  const id = await postLog();
  const { judge } = heldJudge(FAIL, false);
  worker(judge).worker.start();
  await until(async () => (await row(id)).status !== "pending");
  expect(await row(id)).toMatchObject({ status: "flagged", explanation: "Judge: rude", eval_attempts: 1, eval_lease_until: null });
});

test("an expired lease is claimed again, and the late worker's result is not written", async () => {
  const id = await postLog();
  // Worker A claims with a short lease, then stalls (no renewal: as if cut off from the database).
  const [claimed] = await claimPending(sql(), "stalled-worker", 10, 150);
  expect(claimed?.id).toBe(id);
  const late = heldJudge(FAIL);
  const lateEvaluator = new Evaluator(sql(), { regex, judge: late.judge }, { maxAttempts: 5 }, new Outbox());
  const lateRun = lateEvaluator.processAll([claimed!]);

  // Worker B finds the lease expired, claims the log and finishes it.
  await new Promise((r) => setTimeout(r, 200));
  const b = heldJudge(PASS, false);
  worker(b.judge).worker.start();
  await until(async () => (await row(id)).status !== "pending");
  expect(await row(id)).toMatchObject({ status: "pass", eval_attempts: 2 });

  // A finally answers "flagged": nothing changes.
  late.release();
  const [processed] = await lateRun;
  expect(processed).toMatchObject({ written: false, evaluation: { status: "flagged" } });
  expect(await row(id)).toMatchObject({ status: "pass", explanation: "All 1 rule passed." });
});

test("a slow evaluation keeps its lease renewed, so no other worker takes it", async () => {
  const id = await postLog();
  const slow = heldJudge(PASS);
  worker(slow.judge, { leaseMs: 300 }).worker.start();
  await until(async () => slow.calls.length === 1);
  const other = heldJudge(FAIL, false);
  worker(other.judge, { leaseMs: 300 }).worker.start();
  await new Promise((r) => setTimeout(r, 1_200)); // four lease lengths
  expect(other.calls).toHaveLength(0);
  slow.release();
  await until(async () => (await row(id)).status === "pass");
  expect((await row(id)).eval_attempts).toBe(1);
});

test("a graceful stop hands leases back so another worker continues at once", async () => {
  const id = await postLog();
  const stuck = heldJudge(PASS);
  const first = worker(stuck.judge, { leaseMs: 60_000 });
  first.worker.start();
  await until(async () => stuck.calls.length === 1);
  await first.worker.stop(0);
  expect((await row(id)).eval_lease_until).toBeNull();
  const next = heldJudge(FAIL, false);
  worker(next.judge, { leaseMs: 60_000 }).worker.start();
  await until(async () => (await row(id)).status !== "pending", 3_000);
  expect((await row(id)).status).toBe("flagged");
});

test("a log interrupted more than maxAttempts times ends error instead of looping forever", async () => {
  const id = await postLog();
  for (let i = 0; i < 2; i++) {
    // Two claims whose workers "died": each lease lasts 1 ms.
    expect((await claimPending(sql(), `crashed-${i}`, 10, 1)).map((l) => l.id)).toEqual([id]);
    await new Promise((r) => setTimeout(r, 10));
  }
  const judge = heldJudge(PASS, false);
  worker(judge.judge, { maxAttempts: 2 }).worker.start();
  await until(async () => (await row(id)).status !== "pending");
  const final = await row(id);
  expect(final.status).toBe("error");
  expect(final.explanation).toMatch(/interrupted 2 times/);
  expect(judge.calls).toHaveLength(0);
});

test("many workers on one database evaluate each log once", async () => {
  const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => postLog(`log ${i}`)));
  const judges = Array.from({ length: 4 }, () => heldJudge(PASS, false));
  for (const j of judges) worker(j.judge).worker.start();
  await until(
    async () => Number((await sql().query<{ n: string }>(`SELECT count(*) AS n FROM logs WHERE status = 'pending'`))[0]!.n) === 0,
  );
  const judged = judges.flatMap((j) => j.calls);
  expect(judged).toHaveLength(ids.length);
  expect(new Set(judged).size).toBe(ids.length);
  expect(judges.filter((j) => j.calls.length > 0).length).toBeGreaterThan(1);
});

describe("logs handed over by this process's ingest", () => {
  /** Leases the log as the ingest stores it for its in-process worker: a claim cannot take it for ten minutes. */
  const leaseAsIngest = (id: string, owner: string) =>
    sql().query(
      `UPDATE logs SET eval_lease_owner = $2, eval_lease_until = now() + interval '10 minutes', eval_attempts = 1 WHERE id = $1`,
      [id, owner],
    );

  test("are evaluated without a claim; a log leased the same way but not handed over stays pending", async () => {
    const [handed, other] = [await postLog(), await postLog()];
    const { judge } = heldJudge(FAIL, false);
    const { worker: w, leases } = worker(judge, { maxHandedOver: 10 });
    await leaseAsIngest(handed, leases.owner);
    await leaseAsIngest(other, leases.owner);
    expect(w.leaseForNew()).toBeNull(); // not running yet
    w.start();
    expect(w.leaseForNew()).toEqual({ owner: leases.owner, ms: 30_000 });
    w.adopt([handed]);
    await until(async () => (await row(handed)).status !== "pending");
    // Still one attempt: no claim incremented it.
    expect(await row(handed)).toMatchObject({ status: "flagged", eval_attempts: 1, eval_lease_until: null });
    await new Promise((r) => setTimeout(r, 200)); // ten polls
    expect((await row(other)).status).toBe("pending");
    await w.stop(0);
    expect(w.leaseForNew()).toBeNull();
  });

  test("a handed-over log already finalized elsewhere is dropped, and the worker goes on with the next", async () => {
    const [done, next] = [await postLog(), await postLog()];
    const { judge, calls } = heldJudge(PASS, false);
    const { worker: w, leases } = worker(judge, { maxHandedOver: 10 });
    await leaseAsIngest(done, leases.owner);
    await leaseAsIngest(next, leases.owner);
    await sql().query(`UPDATE logs SET status = 'pass', verdict = 'pass', eval_lease_owner = NULL, eval_lease_until = NULL WHERE id = $1`, [
      done,
    ]);
    w.start();
    w.adopt([done]);
    w.adopt([next]);
    await until(async () => (await row(next)).status !== "pending");
    expect(calls).toHaveLength(1);
    expect(leases.size).toBe(0);
  });

  test("the server's ingest stores async logs with its worker's lease (and a server without a worker does not)", async () => {
    for (const workerOn of [true, false]) {
      const own = await createTestDatabase();
      const other = await startTestServer({ DATABASE_URL: own.url, TRACIRA_WORKER: String(workerOn) });
      try {
        // What the INSERT wrote, before any worker touched the row.
        await other.running.deps.db.sql.exec(`
          CREATE TABLE inserted_leases (id text, owner text);
          CREATE FUNCTION record_lease() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO inserted_leases VALUES (NEW.id, NEW.eval_lease_owner); RETURN NEW; END $$;
          CREATE TRIGGER record_lease AFTER INSERT ON logs FOR EACH ROW EXECUTE FUNCTION record_lease();`);
        const res = await other.call("POST", "/api/logs", { project: "handover", output: "Hello" });
        expect(res.status).toBe(200);
        const [inserted] = await other.running.deps.db.sql.query<{ owner: string | null }>(
          `SELECT owner FROM inserted_leases WHERE id = $1`,
          [res.body.id],
        );
        if (workerOn) {
          expect(inserted!.owner).toMatch(/:/);
          await until(async () => {
            const [r] = await other.running.deps.db.sql.query<{ status: string }>(`SELECT status FROM logs WHERE id = $1`, [res.body.id]);
            return r!.status === "pass";
          });
        } else {
          expect(inserted!.owner).toBeNull();
        }
      } finally {
        await other.close();
        await own.drop();
      }
    }
  });
});
