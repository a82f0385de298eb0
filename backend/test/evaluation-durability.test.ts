import { Client } from "pg";
import { startFakeLlm, type FakeLlm } from "./helpers/fake-llm";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startServerProcess, type ServerProcess } from "./helpers/process";

/**
 * The real server process is SIGKILLed during a burst of 1,000 async logs. After a restart every log
 * reaches a final status, and each log's status leaves `pending` exactly once: a trigger records every
 * status change, so a second final write (a late worker overwriting) would show up.
 */
jest.setTimeout(180_000);

const TOKEN = "wh-durabilitytest_0123456789abcdefghijklmnop";
const TOTAL = 1_000;
const SENDERS = 32;

let db: TestDatabase;
let fake: FakeLlm;
let pg: Client;
const processes: ServerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeLlm();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query(`
    CREATE TABLE status_audit (log_id text NOT NULL, old_status text NOT NULL, new_status text NOT NULL);
    CREATE FUNCTION audit_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO status_audit VALUES (NEW.id, OLD.status, NEW.status); RETURN NEW; END $$;
    CREATE TRIGGER audit_status AFTER UPDATE OF status ON logs FOR EACH ROW
      WHEN (OLD.status <> 'pending' OR NEW.status <> 'pending') EXECUTE FUNCTION audit_status();`);
});
afterAll(async () => {
  for (const p of processes) await p.kill("SIGKILL");
  await pg?.end();
  await fake?.close();
  await db?.drop();
});

const env = () => ({
  DATABASE_URL: db.url,
  TRACIRA_BOOTSTRAP_TOKEN: TOKEN,
  TRACIRA_EVAL_LEASE_MS: "1500",
  TRACIRA_WORKER_POLL_MS: "100",
  OPENAI_API_KEY: "sk-durability-test",
  OPENAI_BASE_URL: `${fake.url}/v1`,
  TRACIRA_JUDGE_TIMEOUT_MS: "10000",
});

async function start(): Promise<ServerProcess> {
  const p = await startServerProcess(env());
  processes.push(p);
  return p;
}

/** Sends the logs with SENDERS concurrent clients; returns the ids acknowledged. Failures are left for a retry. */
async function send(url: string, ids: string[], onAccepted?: (count: number) => void): Promise<Set<string>> {
  const accepted = new Set<string>();
  let next = 0;
  const sender = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        const res = await fetch(`${url}/api/logs`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ id, project: "burst", task: "durability", output: `Sorry, order #${id} is refunded.`, confidence: 0.9 }),
        });
        if (res.status === 200) {
          accepted.add(id);
          onAccepted?.(accepted.size);
        }
      } catch {
        // connection refused or reset by the kill: retried after the restart
      }
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return accepted;
}

test("SIGKILL during a burst of 1,000 async logs: after restart all reach a final status, each finalized once", async () => {
  const first = await start();
  const call = first.call(TOKEN);
  const rules = [
    { name: "Apology", type: "keyword_required", value: "sorry" },
    { name: "No promises", type: "keyword_forbidden", value: "guarantee" },
    { name: "Order number", type: "regex_match", value: "/order #burst-\\d+/i" },
    { name: "Short", type: "length_limit", value: "500" },
    { name: "Confident", type: "confidence_threshold", value: "0.5" },
    // A judge that takes a while, so many logs are mid-evaluation when the process dies.
    { name: "Polite", type: "llm_judge", value: "The reply is polite.", llmJudgeProvider: "openai", llmJudgeModel: "fake-slow-120" },
  ];
  for (const rule of rules) expect((await call("POST", "/api/rules", rule)).status).toBe(201);

  const ids = Array.from({ length: TOTAL }, (_, i) => `burst-${i}`);
  let killed: Promise<number | null> | undefined;
  const acceptedBeforeKill = await send(first.url, ids, (count) => {
    if (count === 400) killed = first.kill("SIGKILL");
  });
  await killed;
  expect(acceptedBeforeKill.size).toBeGreaterThanOrEqual(400);
  expect(acceptedBeforeKill.size).toBeLessThan(TOTAL);

  const { rows: midway } = await pg.query<{ pending: string }>(`SELECT count(*) FILTER (WHERE status = 'pending') AS pending FROM logs`);
  expect(Number(midway[0]!.pending)).toBeGreaterThan(0);

  // Restart; the client re-sends what was not acknowledged, with the same ids (idempotent writes).
  const second = await start();
  const rest = ids.filter((id) => !acceptedBeforeKill.has(id));
  const acceptedAfter = await send(second.url, rest);
  expect(acceptedAfter.size).toBe(rest.length);

  const deadline = Date.now() + 120_000;
  let pending = -1;
  while (Date.now() < deadline) {
    const { rows } = await pg.query<{ n: string }>(`SELECT count(*) AS n FROM logs WHERE status = 'pending'`);
    pending = Number(rows[0]!.n);
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(pending).toBe(0);

  // The explanation rides along so a log that ended otherwise than pass says why in the failure.
  const { rows: logs } = await pg.query<{ id: string; status: string; attempts: number; rules: number; explanation: string }>(
    `SELECT id, status, eval_attempts AS attempts, explanation,
       (SELECT count(*)::int FROM evaluations e WHERE e.trace_id = logs.id AND e.evaluator ~ '^(rule|llm_judge)[.]') AS rules FROM logs`,
  );
  expect(logs).toHaveLength(TOTAL);
  expect(new Set(logs.map((l) => l.id))).toEqual(new Set(ids));
  expect(logs.filter((l) => l.status !== "pass")).toEqual([]);
  expect(logs.every((l) => l.rules === rules.length)).toBe(true);
  // Some logs were mid-evaluation at the kill and were claimed again once their lease ran out.
  expect(logs.filter((l) => l.attempts >= 2).length).toBeGreaterThan(0);

  const { rows: audit } = await pg.query<{ log_id: string; old_status: string; new_status: string }>(`SELECT * FROM status_audit`);
  expect(audit.filter((a) => a.old_status !== "pending")).toEqual([]);
  const finalWrites = new Map<string, number>();
  for (const a of audit) finalWrites.set(a.log_id, (finalWrites.get(a.log_id) ?? 0) + 1);
  expect(finalWrites.size).toBe(TOTAL);
  expect([...finalWrites.values()].every((n) => n === 1)).toBe(true);

  await second.kill("SIGTERM");
});
