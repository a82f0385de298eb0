import { startTestServerOn, type TestServer } from "./helpers/server";

/**
 * Token lookups of concurrent requests go out together (one statement for many), and still each request is
 * answered for its own workspace, a wrong token is refused, and a rotated token stops working at once.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServerOn("postgres", { TRACIRA_WORKER: "false" });
});
afterAll(() => server?.close());

test("many concurrent requests of several workspaces are each answered for their own workspace", async () => {
  const tokens = [server.token, await server.newWorkspace("Second"), await server.newWorkspace("Third")];
  await Promise.all(tokens.map((token, i) => server.call("POST", "/api/projects", { name: `project-of-${i}` }, { token })));
  const calls = Array.from({ length: 150 }, (_, n) => ({ n, token: n % 50 === 7 ? `wh-${"x".repeat(43)}` : tokens[n % 3]! }));
  const answers = await Promise.all(calls.map(({ token }) => server.call("GET", "/api/projects", undefined, { token })));
  answers.forEach((answer, n) => {
    if (calls[n]!.token.startsWith("wh-x")) expect(answer.status).toBe(401);
    else
      expect({ n, status: answer.status, names: answer.body.map((p: { name: string }) => p.name) }).toEqual({
        n,
        status: 200,
        names: [`project-of-${n % 3}`],
      });
  });
});

test("a rotated token is refused by the next request, while requests of the new token go on", async () => {
  const old = await server.newWorkspace("Rotating");
  const rotated = await server.call("POST", "/api/settings/rotate-token", undefined, { token: old });
  expect(rotated.status).toBe(200);
  const fresh = rotated.body.token as string;
  const [before, after] = await Promise.all([
    server.call("GET", "/api/projects", undefined, { token: old }),
    server.call("GET", "/api/projects", undefined, { token: fresh }),
  ]);
  expect(before.status).toBe(401);
  expect(after.status).toBe(200);
});
