import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";
import { startTcpProxy, type TcpProxy } from "./helpers/tcp-proxy";

/**
 * A hung Postgres (reached through a relay that stops passing bytes): requests answer 503 within the
 * configured bounds instead of waiting without limit, /readyz says the database is down, /healthz still
 * answers, and everything works again once the database does.
 */
let db: TestDatabase;
let proxy: TcpProxy;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  url.port = String(proxy.port);
  server = await startTestServer({
    DATABASE_URL: url.toString(),
    TRACIRA_WORKER: "false",
    DATABASE_CONNECT_TIMEOUT_MS: "1000",
    DATABASE_STATEMENT_TIMEOUT_MS: "1000",
    DATABASE_QUERY_TIMEOUT_MS: "1500",
  });
});
afterAll(async () => {
  proxy?.thaw();
  await server?.close();
  await proxy?.close();
  await db?.drop();
});

/** A request that must come back (the client gives up after 20 s: far beyond the configured bounds). */
const get = async (path: string, token: string | null = server.token) => {
  const res = await fetch(server.url + path, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, body: await res.json() };
};

test("with the database frozen, API requests answer 503 and /readyz says down; after it thaws, all answer again", async () => {
  expect((await get("/api/logs")).status).toBe(200);
  proxy.freeze();
  const [logs, ready, health] = await Promise.all([get("/api/logs"), get("/readyz", null), get("/healthz", null)]);
  expect(logs).toMatchObject({ status: 503, body: { code: "unavailable", error: expect.stringMatching(/database/) } });
  expect(ready).toEqual({ status: 503, body: { ok: false, database: "down" } });
  expect(health.status).toBe(200);
  // Every connection of the pool may be stuck now: a request needing a new one also ends in a bounded 503.
  expect((await get("/api/projects")).status).toBe(503);

  proxy.thaw();
  let recovered = 0;
  for (let i = 0; i < 50 && recovered !== 200; i++) {
    recovered = (await get("/api/logs")).status;
    if (recovered !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  expect(recovered).toBe(200);
  expect((await get("/readyz", null)).status).toBe(200);
});
