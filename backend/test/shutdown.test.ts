import http from "node:http";
import { startFakeLlm, type FakeLlm } from "./helpers/fake-llm";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startServerProcess, type ServerProcess } from "./helpers/process";

/**
 * SIGTERM with a gate call waiting on a slow judge and keep-alive connections open (the real server
 * process): the waiting caller hears `pending`, requests sent on the open connections after the signal are
 * answered (with Connection: close) rather than reset, and the process ends within its shutdown bound
 * instead of waiting for the judge.
 */
jest.setTimeout(90_000);

const TOKEN = "wh-shutdowntest_0123456789abcdefghijklmnopq";
let db: TestDatabase;
let fake: FakeLlm;
let server: ServerProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeLlm();
});
afterAll(async () => {
  await server?.kill("SIGKILL");
  await fake?.close();
  await db?.drop();
});

interface Answer {
  status?: number;
  connection?: string;
  body?: any;
  error?: string;
}

function request(agent: http.Agent, url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const req = http.request(
      { agent, hostname, port, method, path, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () =>
          resolve({ status: res.statusCode, connection: String(res.headers.connection), body: JSON.parse(text || "null") }),
        );
      },
    );
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test("SIGTERM: the waiting gate call answers pending, requests on open keep-alive connections are answered, the process ends in time", async () => {
  server = await startServerProcess({
    DATABASE_URL: db.url,
    TRACIRA_BOOTSTRAP_TOKEN: TOKEN,
    OPENAI_API_KEY: "sk-shutdown-test",
    OPENAI_BASE_URL: `${fake.url}/v1`,
    TRACIRA_JUDGE_TIMEOUT_MS: "60000",
    TRACIRA_SYNC_TIMEOUT_MS: "60000",
  });
  const url = server.url;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const rule = {
    name: "Slow",
    type: "llm_judge",
    value: "Is polite",
    taskName: "slow",
    llmJudgeProvider: "openai",
    llmJudgeModel: "fake-slow-40000",
  };
  expect((await request(agent, url, "POST", "/api/rules", rule)).status).toBe(201);
  // Ten keep-alive connections, open and idle.
  const warm = await Promise.all(Array.from({ length: 10 }, () => request(agent, url, "GET", "/api/verify")));
  expect(warm.map((a) => a.status)).toEqual(Array(10).fill(200));

  const gate = request(new http.Agent(), url, "POST", "/api/logs", { project: "shutdown", task: "slow", output: "Thanks!", sync: true });
  await new Promise((r) => setTimeout(r, 500)); // the judge call is on its way
  expect(fake.callsFor("fake-slow-40000")).toHaveLength(1);

  const started = Date.now();
  const exited = server.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 200)); // the signal is being handled
  const after = await Promise.all(Array.from({ length: 10 }, () => request(agent, url, "GET", "/api/verify")));
  expect(after.map((a) => a.error ?? a.status)).toEqual(Array(10).fill(200));
  expect(after.every((a) => a.connection === "close")).toBe(true);

  expect(await gate).toMatchObject({ status: 200, body: { ok: true, status: "pending" } });
  expect(await exited).toBe(0);
  // Well before the judge would have answered (40 s): the default bound is 8 s.
  expect(Date.now() - started).toBeLessThan(20_000);
  server = undefined;
  agent.destroy();
});
