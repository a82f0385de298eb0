import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, waitForFinal, type TestServer } from "./helpers/server";

let db: TestDatabase;
let server: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ DATABASE_URL: db.url });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

test("the reference quick start: POST a log, then list it with a summary", async () => {
  const created = await server.call("POST", "/api/logs", { project: "my-first-project", output: "Here is my AI-generated response." });
  expect(created.status).toBe(200);
  expect(created.body).toEqual({ ok: true, id: expect.any(String), status: "pending" });
  // No rules yet: the worker passes it.
  expect(await waitForFinal(server.call, created.body.id)).toBe("pass");
  const list = await server.call("GET", "/api/logs");
  expect(list.status).toBe(200);
  expect(list.body.executions.map((l: { id: string }) => l.id)).toEqual([created.body.id]);
  expect(list.body.summary).toEqual({ totalRuns: 1, failuresDetected: 0, pendingReviews: 0, successRate: 100 });
});
