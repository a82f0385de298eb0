import net from "node:net";
import { dashboardClient, failureOf } from "./helpers/dashboard";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

/** What a caller without credentials can make the server do: little, and nothing costly. */
let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ DATABASE_URL: db.url, TRACIRA_TRUST_PROXY: "loopback", TRACIRA_PASSWORD_COST: "10" });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

/** Sends the headers of a large POST and only its first kilobyte; resolves with the status line, if any comes. */
function partialPost(path: string, headers: Record<string, string>, declaredBytes: number, waitMs = 3000): Promise<string | undefined> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1");
    let answer = "";
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    socket.on("error", reject);
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (answer.includes("\r\n")) done(answer.split("\r\n")[0]);
    });
    const head = Object.entries({
      host: `127.0.0.1:${port}`,
      "content-type": "application/json",
      "content-length": String(declaredBytes),
      ...headers,
    })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join("");
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n{"project":"p","output":"${"x".repeat(1000)}`);
  });
}

test("a large POST /api/logs with a wrong token is refused before its body is read", async () => {
  const refused = await partialPost("/api/logs", { authorization: "Bearer wh-not-a-real-token-at-all-0000000000000" }, 30 * 1024 * 1024);
  expect(refused).toBe("HTTP/1.1 401 Unauthorized");
  // Control: with the right token the server waits for the rest of the body (it must read it to store it).
  expect(await partialPost("/api/logs", { authorization: `Bearer ${server.token}` }, 1024 * 1024, 1000)).toBeUndefined();
});

test("a tRPC request batches at most 10 calls", async () => {
  const calls = (n: number) => Array.from({ length: n }, () => "auth.status").join(",");
  const input = (n: number) => encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]))));
  const call = (n: number) => fetch(`${server.url}/trpc/${calls(n)}?batch=1&input=${input(n)}`, { headers: { "x-tracira-csrf": "1" } });
  expect((await call(10)).status).toBe(200);
  expect((await call(11)).status).toBe(400);
});

describe("log-in and sign-up attempts", () => {
  const from = (address: string) => dashboardClient(server.url, { headers: { "x-forwarded-for": address } });

  beforeAll(async () => {
    await from("10.0.0.1").trpc.auth.signUp.mutate({ email: "ana@example.com", password: "the right password", claimToken: server.token });
  });

  test("ten wrong passwords from one address lock that address out, not the real user on theirs", async () => {
    const attacker = from("10.0.0.66");
    for (let i = 0; i < 10; i++) {
      expect(await failureOf(attacker.trpc.auth.logIn.mutate({ email: "ana@example.com", password: `wrong guess ${i}` }))).toMatchObject({
        status: 401,
      });
    }
    expect(await failureOf(attacker.trpc.auth.logIn.mutate({ email: "ana@example.com", password: "the right password" }))).toMatchObject({
      status: 429,
    });
    await expect(
      from("10.0.0.1").trpc.auth.logIn.mutate({ email: "ana@example.com", password: "the right password" }),
    ).resolves.toMatchObject({
      user: { email: "ana@example.com" },
    });
  });

  test("one address spraying across e-mails (log-ins and sign-ups alike) is stopped after 30 attempts", async () => {
    const sprayer = from("10.0.0.99");
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const attempt =
        i % 2 === 0
          ? sprayer.trpc.auth.logIn.mutate({ email: `user${i}@example.com`, password: "a guessed password" })
          : sprayer.trpc.auth.signUp.mutate({ email: `user${i}@example.com`, password: "a guessed password" });
      statuses.push((await failureOf(attempt)).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401 || s === 403)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    // Another address is not affected.
    expect(
      await failureOf(from("10.0.0.100").trpc.auth.logIn.mutate({ email: "x@example.com", password: "a guessed password" })),
    ).toMatchObject({
      status: 401,
    });
  });
});
