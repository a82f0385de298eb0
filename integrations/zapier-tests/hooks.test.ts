/**
 * The REST-hook triggers end to end: performSubscribe registers a real local receiver with the built
 * backend's /api/hooks, the backend's real signed delivery is handed to perform as Zapier hands it
 * (`cleanedRequest` = parsed body, `rawRequest` = raw body + `Http-`-prefixed headers), and
 * performUnsubscribe removes the subscription. The tests are the steps of one Zap's life, in order.
 */
import { createHmac } from "node:crypto";
import { startReceiver, type Receiver, type Received } from "../../backend/test/helpers/receiver";
import { App, appTester, bundleFor, startBackend, until, type Backend } from "./helpers/zapier";

const PROJECT = "zapier-hooks";
let backend: Backend;
let receiver: Receiver;

beforeAll(async () => {
  backend = await startBackend();
  receiver = await startReceiver();
  expect((await backend.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
});
afterAll(async () => {
  await receiver?.close();
  await backend?.close();
});

/** What Zapier gives perform for a delivery the receiver got. */
function zapierRequest(delivery: Received) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(delivery.headers)) {
    headers[`Http-${name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())}`] = String(value);
  }
  return { cleanedRequest: JSON.parse(delivery.raw), rawRequest: { method: "POST", querystring: "", headers, content: delivery.raw } };
}

const deliveryFor = (logId: string, event: string) =>
  until(`the ${event} delivery of ${logId}`, () => receiver.received.find((r) => r.body?.log?.id === logId && r.body.event === event));

describe("New Verdict", () => {
  const op = () => App.triggers.new_verdict.operation;
  let subscribeData: any;
  const targetUrl = () => `${receiver.url}/verdict`;

  test("performSubscribe registers the Zap's URL for flagged logs of the project", async () => {
    subscribeData = await appTester(
      op().performSubscribe,
      bundleFor(backend, { targetUrl: targetUrl(), inputData: { verdict: "flagged", project: PROJECT } }),
    );
    expect(subscribeData).toMatchObject({ id: expect.any(String), signingSecret: expect.stringMatching(/^whsec_/) });
    expect((await backend.call("GET", "/api/hooks")).body.hooks).toEqual([
      expect.objectContaining({
        id: subscribeData.id,
        url: targetUrl(),
        events: ["log.flagged"],
        project: PROJECT,
        task: null,
        source: "zapier",
      }),
    ]);
  });

  let logId: string;
  let delivery: Received;

  test("a flagged log: its real signed delivery, through perform, is one flat item", async () => {
    expect((await backend.call("POST", "/api/logs", { project: PROJECT, output: "All good.", sync: true })).body.status).toBe("pass");
    const sent = await backend.call("POST", "/api/logs", { project: PROJECT, task: "reply", output: "This is BAD." });
    expect(sent.status).toBe(200);
    logId = sent.body.id;
    delivery = await deliveryFor(logId, "log.evaluated");
    expect(delivery.headers["x-tracira-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const items = await appTester(op().perform, bundleFor(backend, { subscribeData, targetUrl: targetUrl(), ...zapierRequest(delivery) }));
    expect(items).toEqual([
      expect.objectContaining({
        id: logId,
        log_id: logId,
        status: "flagged",
        verdict_pass: false,
        triggered_rules: "No BAD",
        triggered_rule_count: 1,
        project: PROJECT,
        task: "reply",
        output: "This is BAD.",
        human_decision: "",
      }),
    ]);
    // The passing log was not delivered to a "flagged" subscription.
    expect(receiver.received.filter((r) => r.path === "/verdict").map((r) => r.body.status)).toEqual(["flagged"]);
  });

  test("the same body with a tampered signature (or another secret) stops the Zap", async () => {
    const tampered = zapierRequest(delivery);
    tampered.rawRequest.headers["Http-X-Tracira-Signature"] = tampered.rawRequest.headers["Http-X-Tracira-Signature"]!.replace(
      /v1=./,
      (m) => (m.endsWith("0") ? "v1=1" : "v1=0"),
    );
    await expect(appTester(op().perform, bundleFor(backend, { subscribeData, ...tampered }))).rejects.toThrow(/X-Tracira-Signature/);
    await expect(
      appTester(
        op().perform,
        bundleFor(backend, { subscribeData: { ...subscribeData, signingSecret: "whsec_other" }, ...zapierRequest(delivery) }),
      ),
    ).rejects.toThrow(/X-Tracira-Signature/);
  });

  test("a stale signature (a replay of a real delivery, re-signed 10 minutes ago) stops the Zap", async () => {
    const replayed = zapierRequest(delivery);
    const t = Math.floor(Date.now() / 1000) - 600;
    replayed.rawRequest.headers["Http-X-Tracira-Signature"] =
      `t=${t},v1=${createHmac("sha256", subscribeData.signingSecret).update(`${t}.${delivery.raw}`).digest("hex")}`;
    await expect(appTester(op().perform, bundleFor(backend, { subscribeData, ...replayed }))).rejects.toThrow(/too old/);
    // Control: the same body signed now passes, so the age was the reason.
    const fresh = zapierRequest(delivery);
    const now = Math.floor(Date.now() / 1000);
    fresh.rawRequest.headers["Http-X-Tracira-Signature"] =
      `t=${now},v1=${createHmac("sha256", subscribeData.signingSecret).update(`${now}.${delivery.raw}`).digest("hex")}`;
    await expect(appTester(op().perform, bundleFor(backend, { subscribeData, ...fresh }))).resolves.toHaveLength(1);
  });

  test("without the raw request there is nothing to verify against: refused, not trusted", async () => {
    const { cleanedRequest } = zapierRequest(delivery);
    await expect(appTester(op().perform, bundleFor(backend, { subscribeData, cleanedRequest }))).rejects.toThrow(/cannot be checked/);
    const { rawRequest } = zapierRequest(delivery);
    await expect(
      appTester(op().perform, bundleFor(backend, { subscribeData: { id: subscribeData.id }, cleanedRequest, rawRequest })),
    ).rejects.toThrow(/no signing secret/);
  });

  test("performList: recent flagged logs of the project, same fields as a delivery", async () => {
    const items = await appTester(op().performList, bundleFor(backend, { inputData: { verdict: "flagged", project: PROJECT } }));
    expect(items[0]).toEqual(expect.objectContaining({ id: logId, status: "flagged", triggered_rules: "No BAD" }));
    expect(items.every((i: { status: string }) => i.status === "flagged")).toBe(true);
    const delivered = await appTester(op().perform, bundleFor(backend, { subscribeData, ...zapierRequest(delivery) }));
    expect(Object.keys(items[0]).sort()).toEqual(Object.keys(delivered[0]).sort());
  });

  test("performUnsubscribe removes the subscription", async () => {
    await appTester(op().performUnsubscribe, bundleFor(backend, { subscribeData, targetUrl: targetUrl() }));
    expect((await backend.call("GET", "/api/hooks")).body.hooks).toEqual([]);
  });
});

describe("New Human Decision", () => {
  const op = () => App.triggers.new_decision.operation;
  const targetUrl = () => `${receiver.url}/decision`;

  test("subscribe → a real decision's delivery → perform → performList → unsubscribe", async () => {
    const subscribeData = await appTester(
      op().performSubscribe,
      bundleFor(backend, { targetUrl: targetUrl(), inputData: { project: PROJECT } }),
    );
    expect((await backend.call("GET", "/api/hooks")).body.hooks).toEqual([
      expect.objectContaining({ id: subscribeData.id, url: targetUrl(), events: ["log.decided"], project: PROJECT, source: "zapier" }),
    ]);

    const logged = await backend.call("POST", "/api/logs", { project: PROJECT, output: "BAD news", sync: true });
    const logId = logged.body.id;
    expect(
      (await backend.call("PATCH", `/api/logs/${logId}/decision`, { decision: "approved", decidedBy: "ana@example.com" })).status,
    ).toBe(200);
    const delivery = await deliveryFor(logId, "log.decided");

    const [item] = await appTester(op().perform, bundleFor(backend, { subscribeData, ...zapierRequest(delivery) }));
    expect(item).toEqual(
      expect.objectContaining({
        log_id: logId,
        status: "flagged",
        human_decision: "approved",
        decided_by: "ana@example.com",
        id: expect.stringContaining(`${logId}:approved:`),
      }),
    );

    const listed = await appTester(op().performList, bundleFor(backend, { inputData: { project: PROJECT } }));
    expect(listed[0]).toEqual(item);

    await appTester(op().performUnsubscribe, bundleFor(backend, { subscribeData }));
    expect((await backend.call("GET", "/api/hooks")).body.hooks).toEqual([]);
  });
});
