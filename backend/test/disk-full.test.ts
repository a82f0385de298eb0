import { startTestServerOn, type TestServer } from "./helpers/server";
import { until } from "./helpers/until";

/**
 * The embedded database on a (nearly) full disk: writes answer a clear 503 instead of driving PGlite into
 * "No space left on device" (after which it never recovered), reads and health go on, the background loops
 * pause, and everything writes again once there is room. The free space is injected (the probe the guard
 * reads), as a full disk cannot be made safely on a shared machine.
 */
let server: TestServer;
let free = Number.POSITIVE_INFINITY;

beforeAll(async () => {
  server = await startTestServerOn("pglite", { TRACIRA_MIN_FREE_DISK_MB: "100" });
  server.running.runtime.disk.probe = async () => free;
});
afterAll(() => server?.close());

/** Polls a condition until it holds. */
const eventually = (what: string, holds: () => Promise<boolean>) => until(what, async () => ((await holds()) ? true : undefined), 10_000);

test("a nearly full disk: writes refused with 503 insufficient_storage, reads and health answer; room again, writes resume", async () => {
  const first = await server.call("POST", "/api/logs", { project: "disk", output: "before" });
  expect(first.status).toBe(200);

  free = 10 * 1024 * 1024; // 10 MiB left, below the 100 MiB floor
  await eventually(
    "the guard to read the new free space",
    async () => (await server.call("POST", "/api/logs", { project: "disk", output: "x" })).status === 503,
  );
  const refused = await server.call("POST", "/api/logs", { project: "disk", output: "during" });
  expect(refused).toMatchObject({
    status: 503,
    body: { code: "insufficient_storage", error: expect.stringMatching(/almost full: free some space/) },
  });
  expect((await server.call("PATCH", `/api/logs/${first.body.id}/decision`, { decision: "approved" })).status).toBe(503);
  expect((await server.call("GET", `/api/logs/${first.body.id}`)).status).toBe(200);
  expect((await server.call("GET", "/api/logs")).status).toBe(200);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

  free = 10 * 1024 * 1024 * 1024;
  await eventually(
    "writes to resume",
    async () => (await server.call("POST", "/api/logs", { project: "disk", output: "after" })).status === 200,
  );
  await eventually("the worker to evaluate again", async () => {
    const list = await server.call("GET", "/api/logs?project=disk&status=pending");
    return list.body.total === 0;
  });
});
