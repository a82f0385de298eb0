import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startServerProcess, type ServerProcess } from "./helpers/process";
import { startReceiver, type Receiver } from "./helpers/receiver";

/**
 * The outbox survives a crash: the real server process is killed (SIGKILL) right after a receiver
 * accepted a delivery — the worst moment, before the server could record it — and restarted. Every
 * event still arrives, each (log, event, target) under one delivery id, so a receiver that
 * de-duplicates on X-Tracira-Delivery processes each exactly once. Needs the build (npm run build).
 */
jest.setTimeout(90_000);

const TOKEN = `wh-${"d".repeat(40)}`;
let db: TestDatabase;
let receiver: Receiver;
const processes: ServerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const p of processes) await p.kill("SIGKILL");
  await receiver?.close();
  await db?.drop();
});

test("SIGKILL between a receiver's 200 and its record: every event arrives, one delivery id each", async () => {
  const env = {
    DATABASE_URL: db.url,
    TRACIRA_BOOTSTRAP_TOKEN: TOKEN,
    TRACIRA_DELIVERY_BACKOFF_MS: "200",
    TRACIRA_DELIVERY_BACKOFF_MAX_MS: "400",
    TRACIRA_DELIVERY_POLL_MS: "50",
    TRACIRA_DELIVERY_TIMEOUT_MS: "1000",
  };
  const first = await startServerProcess(env);
  processes.push(first);
  const call = first.call(TOKEN);
  expect((await call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
  expect((await call("POST", "/api/hooks", { url: `${receiver.url}/hook`, events: ["log.flagged", "log.decided"] })).status).toBe(201);

  // Two failures per delivery, then success; the first success kills the server as soon as it is answered.
  // Successes wait until every request below was answered, so the kill never cuts the test's own calls.
  const tries = new Map<string, number>();
  let killed: Promise<number | null> | undefined;
  let armed = false;
  receiver.respond((req) => {
    const id = String(req.headers["x-tracira-delivery"]);
    const n = (tries.get(id) ?? 0) + 1;
    tries.set(id, n);
    if (n <= 2 || !armed) return { status: 503 };
    if (!killed) killed = new Promise((resolve) => setTimeout(() => void first.kill("SIGKILL").then(resolve), 1));
    return { status: 200 };
  });

  const ids = Array.from({ length: 8 }, (_, i) => `durable-${i}`);
  for (const [i, id] of ids.entries()) {
    const res = await call("POST", "/api/logs", {
      project: "durable",
      output: i % 2 ? "BAD" : "fine",
      id,
      callbackUrl: `${receiver.url}/cb`,
      sync: true,
    });
    expect(res.status).toBe(200);
  }
  for (const id of ids.slice(0, 3)) expect((await call("PATCH", `/api/logs/${id}/decision`, { decision: "rejected" })).status).toBe(200);
  armed = true;

  await receiver.waitFor(() => killed !== undefined, 30_000);
  await killed;
  const second = await startServerProcess(env);
  processes.push(second);

  // Callbacks (callbackEvents all): 8 evaluations + 3 decisions; hook: 4 flagged + 3 decisions.
  const expected = 8 + 3 + 4 + 3;
  const accepted = () => new Set(receiver.received.filter((r) => r.answered === 200).map((r) => String(r.headers["x-tracira-delivery"])));
  await receiver.waitFor(() => accepted().size === expected, 60_000);

  const idsPerEvent = new Map<string, Set<string>>();
  for (const r of receiver.received) {
    const key = `${r.body.id} ${r.body.event} ${r.path}`;
    if (!idsPerEvent.has(key)) idsPerEvent.set(key, new Set());
    idsPerEvent.get(key)!.add(String(r.headers["x-tracira-delivery"]));
  }
  expect(idsPerEvent.size).toBe(expected);
  expect([...idsPerEvent.values()].every((set) => set.size === 1)).toBe(true);

  const secondCall = second.call(TOKEN);
  const end = Date.now() + 15_000;
  let statuses: string[];
  do {
    const res = await secondCall("GET", "/api/deliveries?limit=100");
    statuses = res.body.deliveries.map((d: { status: string }) => d.status);
    if (statuses.length === expected && statuses.every((s) => s === "succeeded")) break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < end);
  expect(statuses).toEqual(Array(expected).fill("succeeded"));
  await second.kill("SIGTERM");
});
