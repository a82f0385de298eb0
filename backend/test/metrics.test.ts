import { FAST_DELIVERIES, sleep } from "./helpers/deliveries";
import { startReceiver, type Receiver } from "./helpers/receiver";
import { startTestServerOn, type TestServer } from "./helpers/server";

/** GET /metrics: queue depth and lag of the real evaluation worker and delivery sender, request metrics, access. */
jest.setTimeout(120_000);

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
const BACKLOG = 5_000;

let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  // The loops start off so the backlog can be laid first; the test starts the server's own worker and sender.
  server = await startTestServerOn("postgres", { TRACIRA_WORKER: "false", TRACIRA_METRICS_TOKEN: METRICS_TOKEN, ...FAST_DELIVERIES });
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

/** `name{a="b"} 1` lines of the exposition text, keyed by name and labels as written. */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    const m = /^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?) (\S+)$/i.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}
const metric = (values: Map<string, number>, key: string) => values.get(key) ?? 0;

test("without the token GET /metrics is refused; metrics are off when no token is configured", async () => {
  expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
  expect(wrong.status).toBe(401);
  expect(((await wrong.json()) as { error: string }).error).toMatch(/TRACIRA_METRICS_TOKEN/);

  const off = await startTestServerOn("pglite");
  try {
    const res = await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/Metrics are off on this server: set TRACIRA_METRICS_TOKEN/);
  } finally {
    await off.close();
  }
});

test("queue depth and lag move while the real worker drains a 5,000-log backlog", async () => {
  expect((await server.call("POST", "/api/rules", { name: "Polite", type: "keyword_required", value: "thanks" })).status).toBe(201);
  const seed = await server.call("POST", "/api/logs", { project: "backlog", output: "thanks, here it is" });
  expect(seed.status).toBe(200);
  // The rest of the backlog is copied from the stored log in SQL (the API would take longer than the drain),
  // written as if it had arrived 5 s ago so the lag has something to show.
  await server.running.deps.db.sql.query(
    `INSERT INTO logs (id, workspace_id, project_id, output, created_at, timestamp)
     SELECT gen_random_uuid()::text, workspace_id, project_id, output, now() - interval '5 seconds', now()
     FROM logs, generate_series(1, $2) WHERE id = $1`,
    [seed.body.id, BACKLOG - 1],
  );

  const before = await scrape();
  expect(metric(before, 'tracira_queue_depth{queue="evaluation"}')).toBe(BACKLOG);
  expect(metric(before, 'tracira_queue_oldest_age_seconds{queue="evaluation"}')).toBeGreaterThanOrEqual(5);
  expect(metric(before, 'tracira_queue_processed_total{queue="evaluation"}')).toBe(0);

  server.running.runtime.evaluation.worker.start();
  const depths: number[] = [];
  const lags: number[] = [];
  const end = Date.now() + 90_000;
  do {
    await sleep(20);
    const after = await scrape();
    depths.push(metric(after, 'tracira_queue_depth{queue="evaluation"}'));
    lags.push(metric(after, 'tracira_queue_oldest_age_seconds{queue="evaluation"}'));
  } while (depths.at(-1)! > 0 && Date.now() < end);

  expect(depths.at(-1)).toBe(0);
  expect(lags.at(-1)).toBe(0);
  // It moved: never up, and seen on the way at several levels between full and empty.
  expect(depths.every((d, i) => i === 0 || d <= depths[i - 1]!)).toBe(true);
  expect(new Set(depths.filter((d) => d > 0 && d < BACKLOG)).size).toBeGreaterThanOrEqual(2);
  expect(lags.some((l) => l >= 5)).toBe(true);
  // The claim loop's own counts: every log processed once, none failed, nothing left in flight.
  const settled = await scrape();
  expect(metric(settled, 'tracira_queue_processed_total{queue="evaluation"}')).toBe(BACKLOG);
  expect(metric(settled, 'tracira_queue_failures_total{queue="evaluation"}')).toBe(0);
  expect(metric(settled, 'tracira_queue_in_flight{queue="evaluation"}')).toBe(0);
  expect(metric(settled, 'tracira_queue_batch_duration_seconds_count{queue="evaluation"}')).toBeGreaterThan(0);
  const statuses = await server.running.deps.db.sql.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM logs GROUP BY status`,
  );
  expect(statuses).toEqual([{ status: "pass", n: BACKLOG }]);
});

test("delivery failures count while a receiver answers 500, and stop counting once it recovers", async () => {
  receiver.respond(() => ({ status: 500, body: "down" }));
  const hook = await server.call("POST", "/api/hooks", { url: `${receiver.url}/hook`, events: ["log.evaluated"] });
  expect(hook.status).toBe(201);
  server.running.runtime.delivery.sender.start();
  for (let i = 0; i < 3; i++)
    expect((await server.call("POST", "/api/logs", { project: "deliveries", output: `thanks ${i}`, sync: true })).status).toBe(200);

  await receiver.waitFor((r) => r.filter((x) => x.answered === 500).length >= 9);
  // The sender counts an attempt once it has read the answer, a moment after the receiver sent it.
  let failing = await scrape();
  for (let i = 0; i < 50 && metric(failing, 'tracira_queue_failures_total{queue="deliveries"}') < 9; i++) {
    await sleep(50);
    failing = await scrape();
  }
  const failures = metric(failing, 'tracira_queue_failures_total{queue="deliveries"}');
  expect(failures).toBeGreaterThanOrEqual(9);
  // Each failure is one attempt the receiver saw answered 500 (an attempt may be in flight while scraping).
  expect(failures).toBeLessThanOrEqual(receiver.received.filter((x) => x.answered === 500).length);
  expect(metric(failing, 'tracira_queue_depth{queue="deliveries"}')).toBe(3);

  receiver.respond(() => ({ status: 200 }));
  await receiver.waitFor((r) => new Set(r.filter((x) => x.answered === 200).map((x) => x.headers["x-tracira-delivery"])).size === 3);
  // The sender counts an attempt once its answer is read, a moment after the receiver has answered it.
  const settled = (m: Awaited<ReturnType<typeof scrape>>) =>
    metric(m, 'tracira_queue_depth{queue="deliveries"}') === 0 &&
    metric(m, 'tracira_queue_processed_total{queue="deliveries"}') === receiver.received.length;
  let recovered = await scrape();
  for (let i = 0; i < 50 && !settled(recovered); i++) {
    await sleep(50);
    recovered = await scrape();
  }
  expect(metric(recovered, 'tracira_queue_depth{queue="deliveries"}')).toBe(0);
  const total = receiver.received.length;
  expect(metric(recovered, 'tracira_queue_processed_total{queue="deliveries"}')).toBe(total);
  expect(metric(recovered, 'tracira_queue_failures_total{queue="deliveries"}')).toBe(total - 3);
});

test("requests are counted by route pattern and status, and carry a request id", async () => {
  const ok = await server.call("GET", "/api/logs?limit=1");
  expect(ok.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  const mine = await server.call("GET", "/api/logs/nope", undefined, { headers: { "x-request-id": "run-42.step-7" } });
  expect(mine.status).toBe(404);
  expect(mine.headers.get("x-request-id")).toBe("run-42.step-7");
  const hostile = await server.call("GET", "/api/logs?limit=1", undefined, { headers: { "x-request-id": "bad id\twith spaces" } });
  expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

  const values = await scrape();
  expect(metric(values, 'tracira_http_requests_total{method="GET",route="/api/logs",status="200"}')).toBeGreaterThanOrEqual(2);
  expect(metric(values, 'tracira_http_requests_total{method="GET",route="/api/logs/:id",status="404"}')).toBe(1);
  expect(metric(values, 'tracira_http_requests_total{method="POST",route="/api/logs",status="200"}')).toBe(4);
  expect(metric(values, 'tracira_http_request_duration_seconds_count{method="POST",route="/api/logs"}')).toBeGreaterThanOrEqual(4);
  expect([...values.keys()].some((k) => k.includes("nope"))).toBe(false);
  expect(values.has("process_resident_memory_bytes")).toBe(true);
});
