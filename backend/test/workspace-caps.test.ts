import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

/** The deployment's per-workspace caps (set small here) and the paged project list. */
let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({
    DATABASE_URL: db.url,
    TRACIRA_WORKER: "false",
    TRACIRA_MAX_HOOKS_PER_WORKSPACE: "3",
    TRACIRA_MAX_PROJECTS_PER_WORKSPACE: "4",
    TRACIRA_MAX_RULES_PER_WORKSPACE: "2",
    TRACIRA_MAX_ATTACHMENT_MB_PER_WORKSPACE: "1",
  });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

test("hook subscriptions: past the cap a 409 names the setting, and nothing is stored", async () => {
  for (let i = 0; i < 3; i++) {
    expect((await server.call("POST", "/api/hooks", { url: `https://example.com/hook/${i}`, events: ["log.flagged"] })).status).toBe(201);
  }
  const refused = await server.call("POST", "/api/hooks", { url: "https://example.com/hook/again", events: ["log.flagged"] });
  expect(refused).toMatchObject({
    status: 409,
    body: { code: "conflict", error: expect.stringContaining("TRACIRA_MAX_HOOKS_PER_WORKSPACE=3") },
  });
  expect((await server.call("GET", "/api/hooks")).body.hooks).toHaveLength(3);
});

test("rules: past the cap a 409", async () => {
  for (let i = 0; i < 2; i++)
    expect((await server.call("POST", "/api/rules", { name: `r${i}`, type: "keyword_required", value: "x" })).status).toBe(201);
  const refused = await server.call("POST", "/api/rules", { name: "r3", type: "keyword_required", value: "x" });
  expect(refused).toMatchObject({ status: 409, body: { error: expect.stringContaining("TRACIRA_MAX_RULES_PER_WORKSPACE=2") } });
});

test("projects created on first use stop at the cap; logs to existing projects still go in; the list pages", async () => {
  const logTo = (project: string) => server.call("POST", "/api/logs", { project, output: "o" });
  for (const project of ["p1", "p2", "p3"]) expect((await logTo(project)).status).toBe(200);
  expect((await server.call("POST", "/api/projects", { name: "p4" })).status).toBe(201);
  const refused = await logTo("p5-typo");
  expect(refused).toMatchObject({ status: 409, body: { error: expect.stringContaining("TRACIRA_MAX_PROJECTS_PER_WORKSPACE=4") } });
  expect((await server.call("POST", "/api/projects", { name: "p6" })).status).toBe(409);
  // Concurrent first uses of many new names create none past the cap.
  const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => logTo(`burst-${i}`)));
  expect(burst.every((r) => r.status === 409)).toBe(true);
  expect((await logTo("p2")).status).toBe(200);

  const all = await server.call("GET", "/api/projects");
  expect(all.body.map((p: { name: string }) => p.name)).toEqual(["p1", "p2", "p3", "p4"]);
  const page2 = await server.call("GET", "/api/projects?limit=3&page=2");
  expect(page2.body.map((p: { name: string }) => p.name)).toEqual(["p4"]);
  expect(page2.headers.get("x-total-count")).toBe("4");
  expect((await server.call("GET", "/api/projects?limit=5000")).status).toBe(400);
});

test("attachment storage: once a workspace's logs hold the cap, a log with attachments is refused (409), one without goes in", async () => {
  const file = (kb: number) => ({
    upload: Buffer.alloc(kb * 1024, 7).toString("base64"),
    filename: "f.bin",
    contentType: "application/octet-stream",
  });
  expect((await server.call("POST", "/api/logs", { project: "p1", output: "a", attachments: [file(600)] })).status).toBe(200);
  expect((await server.call("POST", "/api/logs", { project: "p1", output: "b", attachments: [file(600)] })).status).toBe(200);
  const refused = await server.call("POST", "/api/logs", { project: "p1", output: "c", attachments: [file(10)] });
  expect(refused).toMatchObject({
    status: 409,
    body: { error: expect.stringContaining("TRACIRA_MAX_ATTACHMENT_MB_PER_WORKSPACE=1"), fields: { attachments: expect.any(String) } },
  });
  expect((await server.call("POST", "/api/logs", { project: "p1", output: "d" })).status).toBe(200);
});
