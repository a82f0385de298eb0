import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { callerFor, startTestServer, type Call, type TestServer } from "./helpers/server";

let db: TestDatabase;
let server: TestServer;
let call: Call;
let other: Call;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ DATABASE_URL: db.url });
  call = server.call;
  other = callerFor(server.url, await server.newWorkspace());
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const prisma = () => server.running.deps.db.prisma;
const log = (project: string, task?: string) => call("POST", "/api/logs", { project, task, output: "o" });
const projectByName = async (name: string, caller = call) =>
  (await caller("GET", "/api/projects")).body.find((p: { name: string }) => p.name === name);

test("create and list with executionCount; a duplicate name is a 409", async () => {
  const created = await call("POST", "/api/projects", { name: "crm-notes", icon: "📝" });
  expect(created.status).toBe(201);
  expect(created.body).toEqual({ id: expect.any(String), name: "crm-notes", icon: "📝", createdAt: expect.any(String), executionCount: 0 });
  await log("crm-notes");
  await log("crm-notes");
  expect(await projectByName("crm-notes")).toMatchObject({ executionCount: 2 });
  const dup = await call("POST", "/api/projects", { name: "crm-notes" });
  expect(dup.status).toBe(409);
  expect(dup.body.code).toBe("conflict");
  expect(await projectByName("crm-notes", other)).toBeUndefined();
});

test("rename and icon change; renaming onto a taken name needs merge", async () => {
  await log("old-name", "t1");
  await log("taken", "t1");
  await log("taken", "t9");
  const old = await projectByName("old-name");
  const renamed = await call("PATCH", `/api/projects/${old.id}`, { name: "new-name", icon: "🚀" });
  expect(renamed.body).toMatchObject({ id: old.id, name: "new-name", icon: "🚀", executionCount: 1 });

  const clash = await call("PATCH", `/api/projects/${old.id}`, { name: "taken" });
  expect(clash.status).toBe(409);
  expect(clash.body.fields.name).toMatch(/merge/);

  await prisma().rule.create({
    data: { workspaceId: await workspaceId(), name: "r", type: "keyword_required", value: "x", projectId: old.id },
  });
  const merged = await call("PATCH", `/api/projects/${old.id}`, { name: "taken", merge: true });
  expect(merged.status).toBe(200);
  const target = await projectByName("taken");
  expect(merged.body).toMatchObject({ id: target.id, name: "taken", executionCount: 3 });
  expect(await projectByName("new-name")).toBeUndefined();
  const tasks = (await call("GET", `/api/projects/${target.id}/tasks`)).body;
  expect(tasks.map((t: { name: string; executionCount: number }) => [t.name, t.executionCount])).toEqual([
    ["t1", 2],
    ["t9", 1],
  ]);
  expect(await prisma().rule.count({ where: { projectId: target.id } })).toBe(1);
});

async function workspaceId() {
  return (await prisma().workspace.findFirstOrThrow({ orderBy: { createdAt: "asc" } })).id;
}

test("tasks: create, list, delete with the project's logs of that task", async () => {
  await log("tasks-project", "Tone Validator");
  await log("tasks-project", "Tone Validator");
  await log("tasks-project", "Other");
  const project = await projectByName("tasks-project");
  const created = await call("POST", `/api/projects/${project.id}/tasks`, { name: "Fresh" });
  expect(created.status).toBe(201);
  expect(created.body).toEqual({
    id: expect.any(String),
    name: "Fresh",
    projectId: project.id,
    createdAt: expect.any(String),
    executionCount: 0,
  });
  expect((await call("POST", `/api/projects/${project.id}/tasks`, { name: "Fresh" })).status).toBe(409);

  const del = await call("DELETE", `/api/projects/${project.id}/tasks?taskName=${encodeURIComponent("Tone Validator")}`);
  expect(del.body).toEqual({ success: true });
  const names = (await call("GET", `/api/projects/${project.id}/tasks`)).body.map((t: { name: string }) => t.name);
  expect(names).toEqual(["Fresh", "Other"]);
  expect((await call("GET", "/api/logs?project=tasks-project")).body.total).toBe(1);
  expect((await call("DELETE", `/api/projects/${project.id}/tasks?taskName=nope`)).status).toBe(404);
});

test("deleting a project deletes its logs, tasks and rules", async () => {
  await log("doomed", "t");
  const project = await projectByName("doomed");
  await prisma().rule.create({
    data: { workspaceId: await workspaceId(), name: "r", type: "keyword_required", value: "x", projectId: project.id },
  });
  expect((await call("DELETE", `/api/projects/${project.id}`)).body).toEqual({ success: true });
  expect(await prisma().log.count({ where: { projectId: project.id } })).toBe(0);
  expect(await prisma().task.count({ where: { projectId: project.id } })).toBe(0);
  expect(await prisma().rule.count({ where: { projectId: project.id } })).toBe(0);
  expect((await call("DELETE", `/api/projects/${project.id}`)).status).toBe(404);
});

test("another workspace's project is 404 on every :id route, and so is a malformed id", async () => {
  await log("private");
  const project = await projectByName("private");
  for (const id of [project.id, "not-a-uuid"]) {
    for (const [method, path, body] of [
      ["PATCH", `/api/projects/${id}`, { name: "stolen" }],
      ["DELETE", `/api/projects/${id}`],
      ["GET", `/api/projects/${id}/tasks`],
      ["POST", `/api/projects/${id}/tasks`, { name: "x" }],
      ["DELETE", `/api/projects/${id}/tasks?taskName=x`],
    ] as const) {
      const res = await other(method, path, body);
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, "not_found"]);
    }
  }
  expect(await projectByName("private")).toMatchObject({ executionCount: 1 });
});
