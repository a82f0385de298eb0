import { createHmac } from "node:crypto";
import { CALLBACK_EVENTS, EventPayload, type CallbackEvents } from "@tracira/shared";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startReceiver, type Receiver } from "./helpers/receiver";
import { startTestServer, startTestServerOn, type TestServer } from "./helpers/server";
import { FAST_DELIVERIES as FAST, sleep, statusRules, OUTPUTS, type Status } from "./helpers/deliveries";

/**
 * Events and deliveries end to end: a real server on Postgres, real HTTP receivers on 127.0.0.1, and the
 * outbox/sender in between. Back-off is shortened so retries happen within the test.
 */
jest.setTimeout(60_000);

describe.each(["postgres", "pglite"] as const)("callbackEvents on %s", (backend) => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    server = await startTestServerOn(backend, FAST);
    receiver = await startReceiver();
    await statusRules(server);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  // The SPEC's table, written out: which events a log's callbackUrl receives for each value.
  const EXPECTED: Record<CallbackEvents, Record<Status, string[]>> = {
    all: { pass: ["log.evaluated", "log.decided"], flagged: ["log.evaluated", "log.decided"], error: ["log.evaluated", "log.decided"] },
    flagged_error: { pass: [], flagged: ["log.evaluated"], error: ["log.evaluated"] },
    pass: { pass: ["log.evaluated"], flagged: [], error: [] },
    decisions: { pass: ["log.decided"], flagged: ["log.decided"], error: ["log.decided"] },
    flagged_error_decisions: { pass: ["log.decided"], flagged: ["log.evaluated", "log.decided"], error: ["log.evaluated", "log.decided"] },
  };

  test("each value delivers exactly the events the SPEC lists, for each status and a decision", async () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...CALLBACK_EVENTS].sort());
    const cases = CALLBACK_EVENTS.flatMap((events) => (Object.keys(OUTPUTS) as Status[]).map((status) => ({ events, status })));
    for (const { events, status } of cases) {
      const res = await server.call("POST", "/api/logs", {
        project: "callbacks",
        ...OUTPUTS[status],
        id: `cb-${events}-${status}`,
        callbackUrl: `${receiver.url}/cb/${events}/${status}`,
        callbackEvents: events,
        sync: true,
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
      const decided = await server.call("PATCH", `/api/logs/cb-${events}-${status}/decision`, { decision: "approved" });
      expect(decided.status).toBe(200);
    }
    const expectedCount = cases.reduce((n, c) => n + EXPECTED[c.events][c.status].length, 0);
    await receiver.waitFor((r) => r.length >= expectedCount);
    await sleep(500); // anything extra would arrive now

    const got: Record<string, string[]> = {};
    for (const r of receiver.received) {
      expect(r.headers["x-tracira-event"]).toBe(r.body.event);
      (got[r.path] ??= []).push(r.body.event);
    }
    for (const { events, status } of cases) {
      expect({ path: `${events}/${status}`, events: (got[`/cb/${events}/${status}`] ?? []).sort() }).toEqual({
        path: `${events}/${status}`,
        events: [...EXPECTED[events][status]].sort(),
      });
    }
    expect(receiver.received).toHaveLength(expectedCount);
  });

  test("the payload mirrors the sync answer and carries the whole log", async () => {
    const cb = receiver.received.find((r) => r.path === "/cb/all/flagged" && r.body.event === "log.evaluated")!;
    for (const r of receiver.received) expect(EventPayload.safeParse(r.body).error).toBeUndefined();
    expect(cb.body).toMatchObject({
      event: "log.evaluated",
      id: "cb-all-flagged",
      status: "flagged",
      verdict: { pass: false, rules: [{ name: "No BAD", triggered: true }] },
      deliveryId: cb.headers["x-tracira-delivery"],
      log: { id: "cb-all-flagged", projectName: "callbacks", output: "This is BAD.", status: "flagged" },
    });
    const decided = receiver.received.find((r) => r.path === "/cb/all/flagged" && r.body.event === "log.decided")!;
    expect(decided.body).toMatchObject({
      status: "flagged",
      humanDecision: "approved",
      decisionSource: "api",
      log: { humanDecision: "approved" },
    });
  });

  test("deciding again the same way is not a new event; changing the decision is; bulk decisions emit too", async () => {
    const before = receiver.received.length;
    await server.call("PATCH", "/api/logs/cb-decisions-pass/decision", { decision: "approved" });
    await server.call("PATCH", "/api/logs/bulk", { ids: ["cb-decisions-pass", "cb-decisions-flagged", "nope"], action: "reject" });
    await receiver.waitFor((r) => r.length >= before + 2);
    await sleep(300);
    const fresh = receiver.received.slice(before);
    expect(fresh.map((r) => `${r.path} ${r.body.humanDecision}`).sort()).toEqual([
      "/cb/decisions/flagged rejected",
      "/cb/decisions/pass rejected",
    ]);
  });

  test("GET /api/deliveries?logId= shows each delivery with its attempts", async () => {
    const res = await server.call("GET", "/api/deliveries?logId=cb-all-pass");
    expect(res.status).toBe(200);
    expect(res.body.deliveries).toHaveLength(2);
    for (const d of res.body.deliveries) {
      expect(d).toMatchObject({
        logId: "cb-all-pass",
        kind: "callback",
        status: "succeeded",
        attemptCount: 1,
        target: `${receiver.url}/cb/all/pass`,
      });
      expect(d.attempts).toEqual([expect.objectContaining({ attemptNumber: 1, responseStatus: 200, error: null })]);
    }
    const other = await server.newWorkspace("Stranger");
    const theirs = await server.call("GET", "/api/deliveries?logId=cb-all-pass", undefined, { token: other });
    expect(theirs.body.deliveries).toEqual([]);
  });
});

describe("hook subscriptions and signatures", () => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", FAST);
    receiver = await startReceiver();
    await statusRules(server);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  test("a signature recomputed from the documented algorithm and the subscription's secret matches", async () => {
    const hook = await server.call("POST", "/api/hooks", { url: `${receiver.url}/hook`, events: ["log.flagged"], source: "n8n" });
    expect(hook.status).toBe(201);
    expect(hook.body).toMatchObject({ url: `${receiver.url}/hook`, events: ["log.flagged"], project: null, task: null, source: "n8n" });
    const secret: string = hook.body.signingSecret;
    expect(secret).toMatch(/^whsec_/);

    await server.call("POST", "/api/logs", { project: "signed", output: "fine" });
    await server.call("POST", "/api/logs", { project: "signed", output: "BAD", id: "signed-1" });
    await receiver.waitFor((r) => r.length >= 1);
    await sleep(300);
    expect(receiver.received).toHaveLength(1); // the passing log is not a log.flagged event
    const [got] = receiver.received;
    const header = String(got!.headers["x-tracira-signature"]);
    const { t, v1 } = Object.fromEntries(header.split(",").map((kv) => kv.split("=") as [string, string]));
    const expected = createHmac("sha256", secret).update(`${t}.${got!.raw}`).digest("hex");
    expect(v1).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(60);
    expect(
      createHmac("sha256", secret)
        .update(`${t}.${got!.raw.replace("BAD", "OK!")}`)
        .digest("hex"),
    ).not.toBe(v1);
    expect(got!.headers["x-tracira-event"]).toBe("log.evaluated");
    expect(got!.headers["x-tracira-delivery"]).toBe(got!.body.deliveryId);
    expect(got!.body).toMatchObject({ id: "signed-1", status: "flagged" });

    // Every subscription has its own secret (it signs nothing else); another workspace's too.
    const again = await server.call("POST", "/api/hooks", { url: `${receiver.url}/other`, events: ["log.decided"] });
    expect(again.body.signingSecret).toMatch(/^whsec_/);
    expect(again.body.signingSecret).not.toBe(secret);
    const stranger = await server.newWorkspace("Stranger");
    const theirs = await server.call("POST", "/api/hooks", { url: `${receiver.url}/x`, events: ["log.decided"] }, { token: stranger });
    expect(theirs.body.signingSecret).not.toBe(secret);
  });

  test("hooks filter by event, project and task", async () => {
    const url = (name: string) => `${receiver.url}/filter/${name}`;
    const hooks = {
      errors: { url: url("errors"), events: ["log.error"] },
      any: { url: url("any"), events: ["log.evaluated"], project: "filtered" },
      passedTask: { url: url("passedTask"), events: ["log.passed"], project: "filtered", task: "t1" },
      decided: { url: url("decided"), events: ["log.decided"], task: "t1" },
    };
    for (const body of Object.values(hooks)) expect((await server.call("POST", "/api/hooks", body)).status).toBe(201);
    const send = (body: Record<string, unknown>) => server.call("POST", "/api/logs", { project: "filtered", sync: true, ...body });
    await send({ output: "ok", task: "t1", id: "f-pass-t1" });
    await send({ output: "ok", task: "t2", id: "f-pass-t2" });
    await send({ output: "BAD", id: "f-flag" });
    await send({ output: "x", task: "judge", id: "f-error" });
    await server.call("POST", "/api/logs", { project: "elsewhere", output: "x", task: "judge", sync: true, id: "f-error-elsewhere" });
    await server.call("PATCH", "/api/logs/f-pass-t1/decision", { decision: "rejected" });
    await sleep(100);
    const expected = {
      errors: ["f-error", "f-error-elsewhere"],
      any: ["f-error", "f-flag", "f-pass-t1", "f-pass-t2"],
      passedTask: ["f-pass-t1"],
      decided: ["f-pass-t1"],
    };
    const total = Object.values(expected).flat().length;
    const mine = () => receiver.received.filter((r) => r.path.startsWith("/filter/"));
    await receiver.waitFor(() => mine().length >= total);
    await sleep(300);
    for (const [name, ids] of Object.entries(expected)) {
      expect({
        name,
        ids: mine()
          .filter((r) => r.path === `/filter/${name}`)
          .map((r) => r.body.id)
          .sort(),
      }).toEqual({ name, ids });
    }
  });

  test("POST/GET/DELETE /api/hooks: validation, listing, isolation, and a deleted hook gets nothing more", async () => {
    const bad = await server.call("POST", "/api/hooks", { url: "ftp://x", events: ["log.nope"] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_request");
    expect(Object.keys(bad.body.fields).sort()).toEqual(["events.0", "url"]);
    expect((await server.call("POST", "/api/hooks", { url: `${receiver.url}/h`, events: [] })).body.fields.events).toMatch(/at least one/);

    const created = await server.call("POST", "/api/hooks", {
      url: `${receiver.url}/gone`,
      events: ["log.evaluated"],
      project: "deleted-hook",
    });
    const list = await server.call("GET", "/api/hooks");
    expect(list.body.hooks.map((h: { id: string }) => h.id)).toContain(created.body.id);
    expect(list.body.hooks.every((h: Record<string, unknown>) => !("signingSecret" in h))).toBe(true);

    const stranger = await server.newWorkspace("Other");
    expect((await server.call("DELETE", `/api/hooks/${created.body.id}`, undefined, { token: stranger })).status).toBe(404);
    expect((await server.call("GET", "/api/hooks", undefined, { token: stranger })).body.hooks).toEqual([]);
    expect((await server.call("DELETE", `/api/hooks/${created.body.id}`)).status).toBe(200);
    expect((await server.call("DELETE", `/api/hooks/${created.body.id}`)).status).toBe(404);
    expect((await server.call("DELETE", `/api/hooks/not-a-uuid`)).status).toBe(404);

    await server.call("POST", "/api/logs", { project: "deleted-hook", output: "ok", sync: true });
    await sleep(400);
    expect(receiver.received.filter((r) => r.path === "/gone")).toHaveLength(0);
  });
});

describe("a receiver that fails, then recovers, across a server restart", () => {
  let db: TestDatabase;
  let receiver: Receiver;
  let server: TestServer | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await db?.drop();
  });

  test("gets each event exactly once by delivery id, with every attempt recorded", async () => {
    const FAILURES = 3;
    const tries = new Map<string, number>();
    receiver.respond((req) => {
      const id = String(req.headers["x-tracira-delivery"]);
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      if (n > FAILURES) return { status: 200 };
      return n === 2 ? { status: 429, headers: { "retry-after": "0" } } : { status: 503 };
    });

    server = await startTestServer({
      DATABASE_URL: db.url,
      ...FAST,
      TRACIRA_DELIVERY_BACKOFF_MS: "300",
      TRACIRA_DELIVERY_BACKOFF_MAX_MS: "600",
    });
    const token = server.token;
    await statusRules(server);
    await server.call("POST", "/api/hooks", { url: `${receiver.url}/hook`, events: ["log.evaluated", "log.decided"] });
    const ids = Array.from({ length: 6 }, (_, i) => `restart-${i}`);
    for (const [i, id] of ids.entries()) {
      const status: Status = (["pass", "flagged", "error"] as const)[i % 3]!;
      await server.call("POST", "/api/logs", { project: "restart", ...OUTPUTS[status], id, callbackUrl: `${receiver.url}/cb`, sync: true });
    }
    // 6 evaluations × (callback + hook). Restart once every delivery has failed at least once.
    await receiver.waitFor(() => tries.size === 12 && [...tries.values()].every((n) => n >= 1));
    await server.close();
    server = undefined;
    const pendingWhileDown = await receiverIdle(receiver);
    expect(pendingWhileDown).toBe(true);

    server = await startTestServer({ DATABASE_URL: db.url, ...FAST, TRACIRA_BOOTSTRAP_TOKEN: token });
    // Decisions after the restart go through the same failing receiver.
    for (const id of ids.slice(0, 2)) await server.call("PATCH", `/api/logs/${id}/decision`, { decision: "approved" });
    const expectedDeliveries = 12 + 2 * 2;
    await receiver.waitFor(
      (r) => new Set(r.filter((x) => x.answered === 200).map((x) => x.headers["x-tracira-delivery"])).size === expectedDeliveries,
      30_000,
    );
    await sleep(600);

    const ok = receiver.received.filter((r) => r.answered === 200);
    const perId = new Map<string, number>();
    for (const r of ok) perId.set(String(r.headers["x-tracira-delivery"]), (perId.get(String(r.headers["x-tracira-delivery"])) ?? 0) + 1);
    expect([...perId.values()].every((n) => n === 1)).toBe(true);
    expect(perId.size).toBe(expectedDeliveries);
    // Each (log, event, target) got exactly one delivery id.
    const events = ok.map((r) => `${r.body.id} ${r.body.event} ${r.path}`).sort();
    expect(new Set(events).size).toBe(expectedDeliveries);
    expect(events.filter((e) => e.endsWith("/cb"))).toHaveLength(8);

    for (const id of ids) {
      const res = await server.call("GET", `/api/deliveries?logId=${id}`);
      for (const d of res.body.deliveries) {
        expect(d.status).toBe("succeeded");
        const statuses = d.attempts.map((a: { responseStatus: number }) => a.responseStatus);
        expect(statuses.at(-1)).toBe(200);
        expect(statuses.slice(0, -1).every((s: number) => s === 503 || s === 429)).toBe(true);
        expect(d.attempts.map((a: { attemptNumber: number }) => a.attemptNumber)).toEqual(statuses.map((_: unknown, i: number) => i + 1));
      }
    }
  });
});

/** True when nothing reaches the receiver for a while (the server is down, deliveries wait in the outbox). */
async function receiverIdle(receiver: Receiver): Promise<boolean> {
  const count = receiver.received.length;
  await sleep(700);
  return receiver.received.length === count;
}
