import type { Delivery } from "@tracira/shared";
import { startReceiver, type Receiver } from "./helpers/receiver";
import { startTestServerOn, type TestServer } from "./helpers/server";
import { FAST_DELIVERIES as FAST, sleep } from "./helpers/deliveries";

/**
 * The outbound-URL guard through the API: URLs Tracira would call are refused when they are written
 * (hooks, settings) and again when they are called (a redirect to a private address).
 */
jest.setTimeout(60_000);

/** Polls `GET /api/deliveries?logId=` until the delivery of `kind` has left `pending`. */
async function settled(server: TestServer, logId: string, kind: Delivery["kind"], timeoutMs = 20_000): Promise<Delivery> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await server.call("GET", `/api/deliveries?logId=${encodeURIComponent(logId)}`);
    const found = (res.body.deliveries as Delivery[]).find((d) => d.kind === kind);
    if (found && found.status !== "pending") return found;
    if (Date.now() > end) throw new Error(`${kind} delivery of ${logId} still ${found?.status ?? "missing"} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The 400 every refused URL gets: `invalid_request`, naming the field, saying why. */
function expectRefused(res: { status: number; body: any }, field: string) {
  expect(res.status).toBe(400);
  expect(res.body.code).toBe("invalid_request");
  expect(Object.keys(res.body.fields)).toEqual([field]);
  expect(res.body.fields[field]).toMatch(/private network address|localhost/);
  expect(res.body.fields[field]).toMatch(/TRACIRA_ALLOW_PRIVATE_URLS/);
}

describe("at write time, with private URLs not allowed", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", { TRACIRA_ALLOW_PRIVATE_URLS: "false" });
  });
  afterAll(async () => {
    await server?.close();
  });

  test.each([
    "http://127.0.0.1:9/x",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://localhost:8080/",
  ])("POST /api/hooks refuses %s", async (url) => {
    expectRefused(await server.call("POST", "/api/hooks", { url, events: ["log.flagged"] }), "url");
  });

  test("no refused hook was stored", async () => {
    expect((await server.call("GET", "/api/hooks")).body.hooks).toEqual([]);
  });

  test("a public address is accepted (the guard is not refusing everything)", async () => {
    const res = await server.call("POST", "/api/hooks", { url: "https://93.184.216.34/hook", events: ["log.flagged"] });
    expect(res.status).toBe(201);
    expect((await server.call("DELETE", `/api/hooks/${res.body.id}`)).status).toBe(200);
  });

  describe("PATCH /api/settings", () => {
    const before = {
      outboundWebhookUrl: "https://93.184.216.34/tracira",
      slackWebhookUrl: "https://93.184.216.34/services/T0/B0/keepme1234",
    };
    let shown: Record<string, unknown>;
    beforeAll(async () => {
      expect((await server.call("PATCH", "/api/settings", { ...before, notifyOnFlag: true })).status).toBe(200);
      shown = (await server.call("GET", "/api/settings")).body;
      expect(shown).toMatchObject({
        outboundWebhookUrl: before.outboundWebhookUrl,
        slackWebhookUrl: "https://93.184.216.34/…1234",
        notifyOnFlag: true,
      });
    });
    const unchanged = async () => {
      const now = (await server.call("GET", "/api/settings")).body;
      for (const field of ["outboundWebhookUrl", "slackWebhookUrl", "notifyOnFlag"])
        expect({ field, value: now[field] }).toEqual({ field, value: shown[field] });
    };

    test("a private outboundWebhookUrl is a 400 on that field, and nothing in the request is saved", async () => {
      expectRefused(
        await server.call("PATCH", "/api/settings", { notifyOnFlag: false, outboundWebhookUrl: "http://10.0.0.1/hook" }),
        "outboundWebhookUrl",
      );
      await unchanged();
    });

    test("a private slackWebhookUrl is a 400 on that field, and nothing in the request is saved", async () => {
      const res = await server.call("PATCH", "/api/settings", {
        notifyOnFlag: false,
        slackWebhookUrl: "https://169.254.169.254/latest/meta-data/",
      });
      expectRefused(res, "slackWebhookUrl");
      await unchanged();
    });
  });
});

describe("at send time, with only 127.0.0.2 allowed", () => {
  let server: TestServer;
  /** Counts as public under this policy. */
  let outside: Receiver;
  /** Stands for the private network: must never be reached. */
  let inside: Receiver;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", { ...FAST, TRACIRA_ALLOW_PRIVATE_URLS: "127.0.0.2/32" });
    outside = await startReceiver("127.0.0.2");
    inside = await startReceiver();
    outside.respond((req) => (req.path === "/redirect" ? { status: 302, headers: { location: `${inside.url}/` } } : { status: 200 }));
  });
  afterAll(async () => {
    await server?.close();
    await outside?.close();
    await inside?.close();
  });

  test("a hook on 127.0.0.1 is still refused at write time", async () => {
    expectRefused(await server.call("POST", "/api/hooks", { url: `${inside.url}/hook`, events: ["log.evaluated"] }), "url");
  });

  test("a hook whose receiver redirects to a private address fails as refused, is not retried, and the private one gets nothing", async () => {
    const hook = await server.call("POST", "/api/hooks", {
      url: `${outside.url}/redirect`,
      events: ["log.evaluated"],
      project: "redirected",
    });
    expect(hook.status).toBe(201);
    expect((await server.call("POST", "/api/logs", { project: "redirected", output: "ok", id: "redirected", sync: true })).status).toBe(
      200,
    );

    const d = await settled(server, "redirected", "hook");
    expect(d.status).toBe("failed");
    expect(d.attempts).toHaveLength(1);
    expect(d.lastError).toMatch(/refused/);
    expect(d.lastError).toMatch(/private network address/);
    await sleep(500);
    expect(outside.received.filter((r) => r.path === "/redirect")).toHaveLength(1);
    expect(inside.received).toEqual([]);
  });

  test("a callbackUrl on the allowed address is delivered normally", async () => {
    const res = await server.call("POST", "/api/logs", {
      project: "allowed",
      output: "ok",
      id: "allowed",
      callbackUrl: `${outside.url}/cb`,
      sync: true,
    });
    expect(res.status).toBe(200);
    const d = await settled(server, "allowed", "callback");
    expect(d).toMatchObject({ status: "succeeded", target: `${outside.url}/cb`, attemptCount: 1 });
    expect(outside.received.filter((r) => r.path === "/cb").map((r) => r.body.id)).toEqual(["allowed"]);
  });
});
