import http from "node:http";
import { TRPCError } from "@trpc/server";
import { Client } from "pg";
import { isAllowedHost } from "../src/http/host-check";
import { apiErrorOf } from "../src/trpc/errors";
import { dashboardClient, failureOf, type DashboardClient } from "./helpers/dashboard";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, waitForFinal, type TestServer } from "./helpers/server";

let db: TestDatabase;
let server: TestServer;
let pg: Client;
let admin: DashboardClient;
let member: DashboardClient;

const ADMIN = { email: "Ana@Example.com", password: "correct horse battery", name: "Ana" };
const MEMBER = { email: "ben@example.com", password: "another long password" };

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ DATABASE_URL: db.url });
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  admin = dashboardClient(server.url);
  member = dashboardClient(server.url);
});
afterAll(async () => {
  await pg?.end();
  await server?.close();
  await db?.drop();
});

describe("accounts and sessions", () => {
  test("a stranger cannot claim the unclaimed first workspace: without its printed token, or with another, nothing is created", async () => {
    expect(await admin.trpc.auth.status.query()).toEqual({ hasUsers: false, signupOpen: true, claimable: true });
    const stranger = { email: "eve@example.com", password: "stranger password" };
    const without = await failureOf(dashboardClient(server.url).trpc.auth.signUp.mutate(stranger));
    expect(without).toMatchObject({ status: 403, code: "forbidden", fields: { claimToken: expect.any(String) } });
    expect(without.message).toMatch(/token \(wh-…\) it printed at its first start/);
    const wrong = await failureOf(dashboardClient(server.url).trpc.auth.signUp.mutate({ ...stranger, claimToken: "wh-not-the-token" }));
    expect(wrong).toMatchObject({ status: 403, code: "forbidden", fields: { claimToken: expect.any(String) } });
    expect((await pg.query("SELECT count(*)::int AS n FROM users")).rows[0].n).toBe(0);
    expect(await admin.trpc.auth.status.query()).toEqual({ hasUsers: false, signupOpen: true, claimable: true });
  });

  test("the first sign-up with the printed token claims the workspace created at first start, as its admin", async () => {
    const me = await admin.trpc.auth.signUp.mutate({ ...ADMIN, claimToken: server.token });
    expect(me).toMatchObject({ user: { email: "ana@example.com", name: "Ana" }, role: "admin", workspace: { name: "My workspace" } });
    expect(await admin.trpc.auth.me.query()).toEqual(me);
    expect(await admin.trpc.settings.webhookToken.query()).toEqual({ webhookToken: server.token });
    expect(await admin.trpc.auth.status.query()).toEqual({ hasUsers: true, signupOpen: false, claimable: false });
  });

  test("the session cookie is httpOnly, SameSite=Lax and random; only its hash and a memory-hard password hash are stored", async () => {
    const cookie = admin.setCookies.find((c) => c.startsWith("tracira_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(admin.cookie()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows: sessions } = await pg.query("SELECT token_hash FROM sessions");
    expect(sessions.map((s) => s.token_hash)).not.toContain(admin.cookie());
    const { rows: users } = await pg.query("SELECT password_hash FROM users");
    expect(users[0].password_hash).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(users[0].password_hash).not.toContain(ADMIN.password);
  });

  test("a second sign-up without an invite is refused, naming what is missing", async () => {
    const failure = await failureOf(dashboardClient(server.url).trpc.auth.signUp.mutate(MEMBER));
    expect(failure).toMatchObject({ status: 403, code: "forbidden", fields: { inviteToken: expect.any(String) } });
    expect(failure.message).toMatch(/invite link/);
  });

  test("bad input is a 400 with fields, and nothing is written", async () => {
    const failure = await failureOf(dashboardClient(server.url).trpc.auth.signUp.mutate({ email: "not-an-email", password: "short" }));
    expect(failure.status).toBe(400);
    expect(failure.code).toBe("invalid_request");
    expect(Object.keys(failure.fields!).sort()).toEqual(["email", "password"]);
    expect((await pg.query("SELECT count(*)::int AS n FROM users")).rows[0].n).toBe(1);
  });

  test("an invite link lets one person join with its role, once", async () => {
    const invite = await admin.trpc.members.invite.mutate({ role: "member" });
    const token = new URLSearchParams(invite.url.split("?")[1]).get("invite")!;
    expect(await member.trpc.auth.invitation.query({ token })).toMatchObject({ workspaceName: "My workspace", role: "member" });
    const me = await member.trpc.auth.signUp.mutate({ ...MEMBER, inviteToken: token });
    expect(me.role).toBe("member");
    const again = await failureOf(
      dashboardClient(server.url).trpc.auth.signUp.mutate({
        email: "cy@example.com",
        password: "yet another password",
        inviteToken: token,
      }),
    );
    expect(again).toMatchObject({ status: 400, fields: { inviteToken: expect.any(String) } });
    const { members } = await admin.trpc.members.list.query();
    expect(members.map((m) => [m.email, m.role])).toEqual([
      ["ana@example.com", "admin"],
      ["ben@example.com", "member"],
    ]);
  });

  test("the same e-mail cannot sign up twice", async () => {
    const invite = await admin.trpc.members.invite.mutate({ role: "member" });
    const token = new URLSearchParams(invite.url.split("?")[1]).get("invite")!;
    const failure = await failureOf(
      dashboardClient(server.url).trpc.auth.signUp.mutate({ ...MEMBER, email: "BEN@example.com", inviteToken: token }),
    );
    expect(failure).toMatchObject({ status: 409, code: "conflict", fields: { email: expect.any(String) } });
  });

  test("log in, log out: a wrong password is a 401, and an ended session's cookie no longer works", async () => {
    const browser = dashboardClient(server.url);
    expect(await failureOf(browser.trpc.auth.logIn.mutate({ email: MEMBER.email, password: "wrong password!" }))).toMatchObject({
      status: 401,
    });
    expect(await failureOf(browser.trpc.auth.logIn.mutate({ email: "nobody@example.com", password: "wrong password!" }))).toMatchObject({
      status: 401,
    });
    await browser.trpc.auth.logIn.mutate({ email: "BEN@example.com", password: MEMBER.password });
    const cookie = browser.cookie()!;
    expect((await browser.trpc.auth.me.query())?.user.email).toBe("ben@example.com");
    await browser.trpc.auth.logOut.mutate();
    expect(browser.cookie()).toBeUndefined();
    expect(await browser.trpc.auth.me.query()).toBeNull();
    const replay = await fetch(`${server.url}/trpc/logs.list?input=${encodeURIComponent("{}")}`, {
      headers: { cookie: `tracira_session=${cookie}`, "x-tracira-csrf": "1" },
    });
    expect(replay.status).toBe(401);
  });

  test("without a session every procedure but the public ones is a 401", async () => {
    const anonymous = dashboardClient(server.url);
    expect(await failureOf(anonymous.trpc.logs.list.query({}))).toMatchObject({ status: 401, code: "unauthorized" });
    expect(await failureOf(anonymous.trpc.settings.get.query())).toMatchObject({ status: 401 });
  });
});

describe("CSRF", () => {
  test("a call without the dashboard's header, or from another origin, is refused before it runs", async () => {
    const cookie = `tracira_session=${admin.cookie()}`;
    const rotate = (headers: Record<string, string>) =>
      fetch(`${server.url}/trpc/settings.rotateToken`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: "{}",
      });
    const noHeader = await rotate({});
    expect(noHeader.status).toBe(403);
    expect(await noHeader.json()).toMatchObject({ code: "forbidden" });
    expect((await rotate({ "x-tracira-csrf": "1", origin: "https://evil.example" })).status).toBe(403);
    expect(await admin.trpc.settings.webhookToken.query()).toEqual({ webhookToken: server.token });
  });

  test("a DNS-rebinding page (its own name as Host and Origin) is refused; IP and localhost hosts are answered", async () => {
    const port = new URL(server.url).port;
    const call = (host: string, path: string, cookie?: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            path,
            method: "GET",
            headers: { host, origin: `http://${host}`, "x-tracira-csrf": "1", ...(cookie ? { cookie } : {}) },
          },
          (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text || "null") }));
          },
        );
        req.on("error", reject);
        req.end();
      });
    const cookie = `tracira_session=${admin.cookie()}`;
    const rebound = await call(`rebind.evil.example:${port}`, "/trpc/settings.webhookToken", cookie);
    expect(rebound.status).toBe(403);
    expect(JSON.stringify(rebound.body)).not.toContain(server.token);
    expect(JSON.stringify(rebound.body)).toContain("TRACIRA_ALLOWED_HOSTS");
    expect((await call(`rebind.evil.example:${port}`, "/trpc/auth.status")).status).toBe(403);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect({ host, status: (await call(host, "/trpc/settings.webhookToken", cookie)).status }).toEqual({ host, status: 200 });
    }
  });
});

test("isAllowedHost: IP addresses, localhost, PUBLIC_URL's host and the allow-list", () => {
  const config = { publicUrl: "https://tracira.example.com", allowedHosts: ["tracira.internal"] };
  for (const host of [
    "127.0.0.1:3000",
    "10.0.0.5",
    "[::1]:3000",
    "localhost:3000",
    "app.localhost",
    "tracira.example.com",
    "TRACIRA.internal:8080",
  ]) {
    expect({ host, allowed: isAllowedHost(host, config) }).toEqual({ host, allowed: true });
  }
  for (const host of ["evil.example", "tracira.example.com.evil.example:3000", "", undefined]) {
    expect({ host, allowed: isAllowedHost(host, config) }).toEqual({ host, allowed: false });
  }
});

describe("roles", () => {
  test("a member cannot open settings, read or rotate the token, or delete a project (403)", async () => {
    for (const call of [
      member.trpc.settings.get.query(),
      member.trpc.settings.webhookToken.query(),
      member.trpc.settings.rotateToken.mutate(),
      member.trpc.settings.update.mutate({ estimatedIncidentCostUsd: 1 }),
      member.trpc.members.invite.mutate({ role: "admin" }),
    ]) {
      expect(await failureOf(call)).toMatchObject({ status: 403, code: "forbidden" });
    }
    const project = await member.trpc.projects.create.mutate({ name: "member-made" });
    expect(await failureOf(member.trpc.projects.delete.mutate({ id: project.id }))).toMatchObject({ status: 403 });
    expect((await server.call("GET", "/api/projects")).body.map((p: { name: string }) => p.name)).toContain("member-made");
    await admin.trpc.projects.delete.mutate({ id: project.id });
  });
});

describe("logs through the same services as REST", () => {
  let flaggedId: string;

  beforeAll(async () => {
    await server.call("POST", "/api/rules", { name: "No refunds", type: "keyword_forbidden", value: "refund" });
    const flagged = await server.call("POST", "/api/logs", { project: "support", output: "We will refund you twice." });
    const passed = await server.call("POST", "/api/logs", { project: "support", output: "Thanks for writing." });
    flaggedId = flagged.body.id;
    await waitForFinal(server.call, flaggedId);
    await waitForFinal(server.call, passed.body.id);
  });

  test("the pending filter, search and the detail match the REST API", async () => {
    const viaTrpc = await member.trpc.logs.list.query({ pending: "true" });
    const viaRest = await server.call("GET", "/api/logs?pending=true");
    expect(viaTrpc).toEqual(viaRest.body);
    expect(viaTrpc.executions.map((l) => l.id)).toEqual([flaggedId]);
    expect(await member.trpc.logs.get.query({ id: flaggedId })).toEqual((await server.call("GET", `/api/logs/${flaggedId}`)).body);
    expect(await member.trpc.traces.get.query({ traceId: flaggedId })).toEqual((await server.call("GET", `/api/traces/${flaggedId}`)).body);
    const invalid = await failureOf(member.trpc.logs.list.query({ limit: "5000" }));
    expect(invalid).toMatchObject({ status: 400, fields: { limit: expect.stringMatching(/at most/) } });
  });

  test("a decision in the dashboard is signed by the user, with decisionSource dashboard", async () => {
    expect(await member.trpc.logs.decide.mutate({ id: flaggedId, decision: "approved" })).toEqual({
      ok: true,
      decidedBy: "ben@example.com",
    });
    const log = (await server.call("GET", `/api/logs/${flaggedId}`)).body;
    expect(log).toMatchObject({ humanDecision: "approved", decidedBy: "ben@example.com", decisionSource: "dashboard" });
    expect((await member.trpc.logs.list.query({ pending: "true" })).total).toBe(0);
  });

  test("the overview counts runs per day and prices the flagged ones", async () => {
    await admin.trpc.settings.update.mutate({ estimatedIncidentCostUsd: 120.5 });
    const overview = await member.trpc.analytics.overview.query({ days: 7 });
    expect(overview.days).toHaveLength(7);
    expect(overview.days.at(-1)).toMatchObject({ date: new Date().toISOString().slice(0, 10), runs: 2, passed: 1, flagged: 1, error: 0 });
    expect(overview).toMatchObject({
      totalRuns: 2,
      failureRate: 0.5,
      pendingReviews: 0,
      flaggedCount: 1,
      estimatedIncidentCostUsd: 120.5,
      incidentCostAvoidedUsd: 120.5,
    });
  });

  test("rules can be tested without saving anything", async () => {
    const before = (await member.trpc.rules.list.query()).length;
    const result = await member.trpc.rules.test.mutate({ rule: { type: "keyword_forbidden", value: "refund" }, output: "No refund here" });
    expect(result).toMatchObject({ verdict: "flagged", status: "flagged" });
    expect((await member.trpc.rules.list.query()).length).toBe(before);
  });

  test("another workspace's user sees none of it (404, not 403)", async () => {
    const other = await server.running.deps.services.workspaces.create("Other");
    const outsider = dashboardClient(server.url);
    const { rows } = await pg.query("SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1", [other.id]);
    expect(rows[0].n).toBe(0);
    // A workspace nobody has joined yet is claimed by the next sign-up.
    expect(
      (await outsider.trpc.auth.signUp.mutate({ email: "eve@example.com", password: "outsider password", claimToken: other.token }))
        .workspace.id,
    ).toBe(other.id);
    expect(await failureOf(outsider.trpc.logs.get.query({ id: flaggedId }))).toMatchObject({ status: 404 });
    expect(await failureOf(outsider.trpc.traces.get.query({ traceId: flaggedId }))).toMatchObject({ status: 404, code: "not_found" });
    expect(await failureOf(outsider.trpc.logs.decide.mutate({ id: flaggedId, decision: "rejected" }))).toMatchObject({ status: 404 });
    expect((await outsider.trpc.logs.list.query({})).total).toBe(0);
  });

  test("attachments open with the session cookie, and only in the user's workspace", async () => {
    const res = await server.call("POST", "/api/logs", {
      project: "support",
      output: "with a file",
      attachments: [{ upload: Buffer.from("hello").toString("base64"), filename: "a.txt", contentType: "text/plain" }],
    });
    const log = await member.trpc.logs.get.query({ id: res.body.id });
    const url = log.attachments[0]!.url;
    expect(url).toMatch(/^\/api\/media\//);
    const viaCookie = await member.fetch(url);
    expect(viaCookie.status).toBe(302);
    const file = await fetch(new URL(viaCookie.headers.get("location")!, server.url));
    expect(await file.text()).toBe("hello");
    expect((await fetch(server.url + url)).status).toBe(401);
    const outsider = dashboardClient(server.url);
    await outsider.trpc.auth.logIn.mutate({ email: "eve@example.com", password: "outsider password" });
    expect((await outsider.fetch(url)).status).toBe(404);
  });
});

describe("members", () => {
  const userIdOf = async (email: string) => (await admin.trpc.members.list.query()).members.find((m) => m.email === email)!.userId;

  test("roles change at once for open sessions; the last admin cannot be demoted or removed", async () => {
    const ana = await userIdOf("ana@example.com");
    const ben = await userIdOf("ben@example.com");
    expect(await failureOf(member.trpc.members.setRole.mutate({ userId: ben, role: "admin" }))).toMatchObject({ status: 403 });
    expect(await failureOf(admin.trpc.members.setRole.mutate({ userId: ana, role: "member" }))).toMatchObject({
      status: 409,
      code: "conflict",
    });
    expect(await failureOf(admin.trpc.members.remove.mutate({ userId: ana }))).toMatchObject({ status: 409 });
    await admin.trpc.members.setRole.mutate({ userId: ben, role: "admin" });
    expect((await member.trpc.auth.me.query())?.role).toBe("admin");
    expect(await member.trpc.settings.webhookToken.query()).toEqual({ webhookToken: server.token });
    await admin.trpc.members.setRole.mutate({ userId: ben, role: "member" });
    expect(await failureOf(member.trpc.settings.webhookToken.query())).toMatchObject({ status: 403 });
  });

  test("a removed member's session ends at once, and another workspace's member is not found", async () => {
    const invite = await admin.trpc.members.invite.mutate({ role: "member" });
    const leaver = dashboardClient(server.url);
    await leaver.trpc.auth.signUp.mutate({
      email: "cy@example.com",
      password: "leaving soon, sadly",
      inviteToken: new URLSearchParams(invite.url.split("?")[1]).get("invite")!,
    });
    const cy = await userIdOf("cy@example.com");
    await admin.trpc.members.remove.mutate({ userId: cy });
    expect(await failureOf(leaver.trpc.logs.list.query({}))).toMatchObject({ status: 401 });
    expect((await admin.trpc.members.list.query()).members.map((m) => m.email)).not.toContain("cy@example.com");
    const { rows } = await pg.query("SELECT id FROM users WHERE email = 'eve@example.com'");
    expect(await failureOf(admin.trpc.members.remove.mutate({ userId: rows[0].id }))).toMatchObject({ status: 404 });
  });
});

describe("token rotation (last: the tests above use the first token)", () => {
  test("an admin rotates the token: the old one stops working on the REST API, the new one is shown", async () => {
    const before = await admin.trpc.settings.webhookToken.query();
    const { webhookToken } = await admin.trpc.settings.rotateToken.mutate();
    expect(webhookToken).not.toBe(before.webhookToken);
    expect(await admin.trpc.settings.webhookToken.query()).toEqual({ webhookToken });
    expect((await server.call("GET", "/api/verify", undefined, { token: before.webhookToken })).status).toBe(401);
    expect((await server.call("GET", "/api/verify", undefined, { token: webhookToken })).status).toBe(200);
    const { rows } = await pg.query("SELECT rotated_by FROM token_rotations");
    expect(rows).toEqual([{ rotated_by: "ana@example.com" }]);
  });
});

describe("the web app", () => {
  test("/ and the pages a browser opens are the app; files and API clients' unknown paths stay JSON 404s", async () => {
    const root = await fetch(`${server.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get("content-type")).toMatch(/^text\/html/);
    expect(root.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(await root.text()).toContain('<div id="root">');
    const page = await fetch(`${server.url}/logs/some-id`, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(200);
    for (const [path, accept] of [
      ["/logs/some-id", "*/*"],
      ["/.env", "text/html"],
      ["/wp-login.php", "text/html"],
      ["/api/nope", "text/html"],
    ]) {
      const res = await fetch(server.url + path!, { headers: { accept: accept! } });
      expect([path, res.status, res.headers.get("content-type")]).toEqual([path, 404, expect.stringMatching(/^application\/json/)]);
    }
  });
});

test("errors from inside a procedure are masked; client errors keep their message", () => {
  const hidden = apiErrorOf(
    new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: new Error("connection to 10.0.0.5 failed: password=hunter2") }),
  );
  expect(hidden.status).toBe(500);
  expect(hidden.message).not.toMatch(/hunter2|10\.0\.0\.5/);
  expect(apiErrorOf(new TRPCError({ code: "NOT_FOUND", message: 'No procedure found on path "nope"' })).toBody()).toEqual({
    error: 'No procedure found on path "nope"',
    code: "not_found",
  });
});
