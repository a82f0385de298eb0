import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { lockDataDir } from "../src/db/pglite-lock";
import { loadOrCreateKeyFile } from "../src/secrets/secret-key";
import { maskSecret } from "../src/secrets/secret-box";
import { dashboardClient, failureOf } from "./helpers/dashboard";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

/** The attack review's smaller findings, each against a running server or the module that answers it. */
let db: TestDatabase;
let server: TestServer;
const ADMIN = { email: "ana@example.com", password: "the admin's password" };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ DATABASE_URL: db.url, TRACIRA_PASSWORD_COST: "10", TRACIRA_TRUST_PROXY: "loopback" });
  await dashboardClient(server.url).trpc.auth.signUp.mutate({ ...ADMIN, claimToken: server.token });
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const loggedIn = async (who: { email: string; password: string } = ADMIN) => {
  const client = dashboardClient(server.url);
  await client.trpc.auth.logIn.mutate(who);
  return client;
};

test("passwords of spaces or of one repeated character are refused", async () => {
  const invite = await (await loggedIn()).trpc.members.invite.mutate({ role: "member" });
  const inviteToken = new URL(invite.url, server.url).searchParams.get("invite")!;
  for (const password of [" ".repeat(12), "aaaaaaaaaaaa", "abababababab", "  short   "]) {
    const refused = await failureOf(
      dashboardClient(server.url).trpc.auth.signUp.mutate({ email: "ben@example.com", password, inviteToken }),
    );
    expect({ password, status: refused.status, field: Boolean(refused.fields?.password) }).toEqual({ password, status: 400, field: true });
  }
});

test("invite links are listed, revocable, and go with a removed (or demoted) creator", async () => {
  const admin = await loggedIn();
  const tokenOf = (url: string) => new URL(url, server.url).searchParams.get("invite")!;
  const first = await admin.trpc.members.invite.mutate({ role: "member" });
  const open = await admin.trpc.members.invites.query();
  expect(open.invites.length).toBeGreaterThanOrEqual(1);
  expect(open.invites[0]).toMatchObject({ role: "member", createdBy: ADMIN.email });
  for (const invite of open.invites) await admin.trpc.members.revokeInvite.mutate({ inviteId: invite.id });
  expect((await admin.trpc.members.invites.query()).invites).toEqual([]);
  const revoked = await failureOf(
    dashboardClient(server.url).trpc.auth.signUp.mutate({
      email: "ben@example.com",
      password: "ben's good password",
      inviteToken: tokenOf(first.url),
    }),
  );
  expect(revoked).toMatchObject({ status: 400, fields: { inviteToken: expect.any(String) } });

  // Cy joins as admin and makes a link; once Cy is removed, Cy's link no longer opens the workspace.
  const cyInvite = await admin.trpc.members.invite.mutate({ role: "admin" });
  const cy = dashboardClient(server.url);
  await cy.trpc.auth.signUp.mutate({ email: "cy@example.com", password: "cy's own password", inviteToken: tokenOf(cyInvite.url) });
  const cysLink = await cy.trpc.members.invite.mutate({ role: "member" });
  const cyId = (await admin.trpc.members.list.query()).members.find((m) => m.email === "cy@example.com")!.userId;
  await admin.trpc.members.remove.mutate({ userId: cyId });
  const orphan = await failureOf(
    dashboardClient(server.url).trpc.auth.signUp.mutate({
      email: "dan@example.com",
      password: "dan's own password",
      inviteToken: tokenOf(cysLink.url),
    }),
  );
  expect(orphan).toMatchObject({ status: 400, fields: { inviteToken: expect.any(String) } });
});

test("log out everywhere ends the user's other sessions too", async () => {
  const here = await loggedIn();
  const there = await loggedIn();
  expect(await there.trpc.auth.me.query()).toMatchObject({ user: { email: ADMIN.email } });
  await here.trpc.auth.logOutEverywhere.mutate();
  expect(await there.trpc.auth.me.query()).toBeNull();
  expect(await here.trpc.auth.me.query()).toBeNull();
});

test("JSON answers carry nosniff; the dashboard's CSP restricts base-uri and form-action", async () => {
  const json = await fetch(`${server.url}/api/verify`, { headers: { authorization: `Bearer ${server.token}` } });
  expect(json.headers.get("x-content-type-options")).toBe("nosniff");
  expect((await fetch(`${server.url}/api/nowhere`)).headers.get("x-content-type-options")).toBe("nosniff");
  const page = await fetch(`${server.url}/`);
  expect(page.headers.get("content-security-policy")).toMatch(/base-uri 'none'/);
  expect(page.headers.get("content-security-policy")).toMatch(/form-action 'self'/);
});

test("% and _ in the search text match themselves, not anything", async () => {
  for (const sessionId of ["chat-50%-off", "chat-500-off", "snake_case", "snakeXcase"]) {
    expect((await server.call("POST", "/api/logs", { project: "search-escapes", output: "o", sessionId })).status).toBe(200);
  }
  const found = async (q: string) =>
    ((await server.call("GET", `/api/logs?project=search-escapes&q=${encodeURIComponent(q)}`)).body.executions as { sessionId: string }[])
      .map((l) => l.sessionId)
      .sort();
  expect(await found("50%")).toEqual(["chat-50%-off"]);
  expect(await found("e_c")).toEqual(["snake_case"]);
});

test("a wrong token is throttled per address: /api/verify cannot be used to guess at full speed", async () => {
  const verify = (token: string, address: string) =>
    fetch(`${server.url}/api/verify`, { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": address } });
  const statuses: number[] = [];
  for (let i = 0; i < 62; i++) statuses.push((await verify(`wh-guess-${String(i).padStart(40, "0")}`, "10.9.9.9")).status);
  expect(statuses.slice(0, 60)).toEqual(Array(60).fill(401));
  expect(statuses.slice(60)).toEqual([429, 429]);
  expect((await verify(server.token, "10.9.9.10")).status).toBe(200);
});

test("a secret's mask keeps at least 12 characters hidden", () => {
  expect(maskSecret("sk-abcdefghi")).toBe("…");
  expect(maskSecret("abcdefgh-xyz")).toBe("…");
  expect(maskSecret("sk-proj-workspaceKey0123456789abcd")).toBe("sk-…abcd");
});

test("the embedded database's folder is this user's only (0700), also when it existed before", () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-perm-"));
  try {
    const fresh = path.join(parent, "fresh");
    lockDataDir(fresh)();
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
    const existing = path.join(parent, "existing");
    fs.mkdirSync(existing, { mode: 0o755 });
    fs.chmodSync(existing, 0o755);
    loadOrCreateKeyFile(existing);
    expect(fs.statSync(existing).mode & 0o777).toBe(0o700);
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
