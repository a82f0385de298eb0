import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { runExpectingFailure, startServerProcess, type ServerProcess } from "./helpers/process";
import { waitForFinal } from "./helpers/server";

/** Logs survive a crash (SIGKILL) and a clean stop, on the embedded default and on Postgres. */
const live: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(live.splice(0).map((p) => p.kill("SIGKILL")));
});
const start = async (env: Record<string, string>, viaNpmStart = false) => {
  const p = await startServerProcess(env, { viaNpmStart, timeoutMs: 120_000 });
  live.push(p);
  return p;
};

async function survivesRestarts(env: Record<string, string>) {
  const first = await start(env);
  const token = first.printedToken;
  expect(token).toMatch(/^wh-[A-Za-z0-9_-]{43}$/);
  const call = first.call(token!);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await call("POST", "/api/logs", { project: "durable", task: "t", output: `answer ${i}`, tags: ["keep"] });
    expect(res.status).toBe(200);
    ids.push(res.body.id);
  }

  // A crash right after the answers: every acknowledged log must still be there.
  expect(await first.kill("SIGKILL")).toBeNull();
  const second = await start(env);
  expect(second.printedToken).toBeUndefined(); // the first workspace is not created twice
  const afterCrash = await second.call(token!)("GET", "/api/logs?project=durable&limit=100");
  expect(afterCrash.status).toBe(200);
  expect(afterCrash.body.executions.map((l: { id: string }) => l.id).sort()).toEqual([...ids].sort());
  expect(afterCrash.body.executions[0]).toMatchObject({ projectName: "durable", taskName: "t", tags: ["keep"] });
  for (const id of ids) expect(await waitForFinal(second.call(token!), id)).toBe("pass");
  const one = await second.call(token!)("POST", "/api/logs", { project: "durable", output: "after crash" });
  ids.push(one.body.id);

  // A clean stop (SIGTERM) exits 0 and keeps everything too.
  expect(await second.kill("SIGTERM")).toBe(0);
  const third = await start(env);
  const afterStop = await third.call(token!)("GET", "/api/logs?project=durable&limit=100");
  expect(afterStop.body.total).toBe(6);
  const got = await third.call(token!)("GET", `/api/logs/${one.body.id}`);
  expect(got.body.output).toBe("after crash");
  expect(await third.kill("SIGTERM")).toBe(0);
}

test("embedded PGlite: logs survive SIGKILL and SIGTERM restarts; a second process on the folder is refused", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-pglite-"));
  try {
    await survivesRestarts({ TRACIRA_DATA_DIR: dir });

    // While one server owns the folder, another refuses to start and says why.
    await start({ TRACIRA_DATA_DIR: dir });
    const refused = await runExpectingFailure({ TRACIRA_DATA_DIR: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Another Tracira process \(pid \d+\) is using the data folder/);
  } finally {
    await Promise.all(live.splice(0).map((p) => p.kill("SIGKILL")));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

describe("Postgres", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await db?.drop();
  });

  test("logs survive SIGKILL and SIGTERM restarts (and the server migrates an empty database)", async () => {
    // A log mid-evaluation at the kill is taken over once its lease runs out (short here).
    await survivesRestarts({ DATABASE_URL: db.url, TRACIRA_EVAL_LEASE_MS: "1000" });
  }, 120_000);
});

test("the README's `npm start` on the embedded default: the reference's curl POST, then GET lists it with a summary", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-npm-start-"));
  try {
    const p = await start({ TRACIRA_DATA_DIR: dir }, true);
    expect(p.stdout()).toMatch(/Database: embedded PGlite/);
    const call = p.call(p.printedToken!);
    const created = await call("POST", "/api/logs", { project: "my-first-project", output: "Here is my AI-generated response." });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ ok: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: "pending" });
    expect(await waitForFinal(call, created.body.id)).toBe("pass");
    const listed = await call("GET", "/api/logs");
    expect(listed.body).toMatchObject({
      executions: [{ id: created.body.id, projectName: "my-first-project", status: "pass", verdict: "pass" }],
      total: 1,
      summary: { totalRuns: 1, failuresDetected: 0, pendingReviews: 0, successRate: 100 },
    });
  } finally {
    await Promise.all(live.splice(0).map((p) => p.kill("SIGTERM")));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

test("instances starting together on an empty database create one first workspace", async () => {
  const db = await createTestDatabase({ migrated: false });
  try {
    const started = await Promise.all([1, 2, 3].map(() => start({ DATABASE_URL: db.url })));
    const tokens = started.map((p) => p.printedToken).filter(Boolean);
    expect(tokens).toHaveLength(1);
    for (const p of started) expect((await p.call(tokens[0]!)("GET", "/api/verify")).status).toBe(200);
  } finally {
    await Promise.all(live.splice(0).map((p) => p.kill("SIGKILL")));
    await db.drop();
  }
});

test("a bad environment variable stops the start with a message naming it", async () => {
  const res = await runExpectingFailure({ PORT: "not-a-port", DATABASE_URL: "mysql://nope" });
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/PORT/);
  expect(res.stderr).toMatch(/DATABASE_URL: must be a postgres/);
});

test("TRACIRA_BOOTSTRAP_TOKEN sets the first workspace's token", async () => {
  const db = await createTestDatabase();
  try {
    const token = `wh-${"s".repeat(20)}${"x".repeat(20)}abc`;
    const p = await start({ DATABASE_URL: db.url, TRACIRA_BOOTSTRAP_TOKEN: token });
    expect(p.printedToken).toBe(token);
    expect((await p.call(token)("GET", "/api/verify")).body).toEqual({ workspaceName: "My workspace" });
    const bad = await runExpectingFailure({ DATABASE_URL: db.url, TRACIRA_BOOTSTRAP_TOKEN: "wh-short" });
    expect(bad.stderr).toMatch(/TRACIRA_BOOTSTRAP_TOKEN/);
  } finally {
    await Promise.all(live.splice(0).map((p) => p.kill("SIGKILL")));
    await db.drop();
  }
});
