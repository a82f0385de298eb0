/**
 * The Tracira Trigger's lifecycle through its webhook methods (real HookContext) against the built
 * backend's /api/hooks, and a real signed delivery from the backend handed to its webhook() (real
 * WebhookContext around the real request) by the harness's stand-in for n8n's webhook server.
 * The tests are the steps of one activation, in order.
 */
import { createHmac } from "node:crypto";
import { startTrigger, type Trigger, type Types, type WebhookCall } from "./harness";
import { startBackend, type Backend } from "./helpers/backend";
import { TRIGGER, traciraCredentials, traciraTypes } from "./helpers/tracira";

const PROJECT = "n8n-trigger";

let types: Types;
let backend: Backend;
let trigger: Trigger;

beforeAll(async () => {
  types = await traciraTypes();
  backend = await startBackend();
  expect((await backend.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
  trigger = await startTrigger({
    types,
    nodeType: TRIGGER,
    parameters: { events: ["log.flagged"], project: PROJECT },
    credentials: traciraCredentials(backend),
  });
});
afterAll(async () => {
  await trigger?.close();
  await backend?.close();
});

/** Polls `probe` until it answers something other than undefined. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(`${what}: not after ${timeoutMs} ms (webhook answers so far: ${JSON.stringify(trigger.calls.map((c) => c.status))})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sign = (secret: string, t: number, raw: string) => `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex")}`;

/** Sends `call`'s exact body again with another X-Tracira-Signature; answers the harness's record of it. */
async function replay(call: WebhookCall, signature: string): Promise<WebhookCall> {
  const before = trigger.calls.length;
  await fetch(trigger.webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "x-tracira-signature": signature },
    body: call.rawBody,
  });
  return await until("the replay to be handled", () => (trigger.calls[before]?.status ? trigger.calls[before] : undefined));
}

let secret: string;
let delivered: WebhookCall;
let logId: string;

test("create subscribes the node's webhook URL; its id and signing secret go to the static data", async () => {
  await expect(trigger.webhookMethod("checkExists")).resolves.toBe(false);
  expect((await backend.call("GET", "/api/hooks")).body.hooks).toEqual([]);

  await expect(trigger.webhookMethod("create")).resolves.toBe(true);
  const { webhookId, signingSecret } = trigger.staticData() as { webhookId: string; signingSecret: string };
  expect(signingSecret).toMatch(/^whsec_/);
  secret = signingSecret;
  expect((await backend.call("GET", "/api/hooks")).body.hooks).toEqual([
    expect.objectContaining({ id: webhookId, url: trigger.webhookUrl, events: ["log.flagged"], project: PROJECT }),
  ]);
  await expect(trigger.webhookMethod("checkExists")).resolves.toBe(true);
});

test("a flagged log: the backend's signed delivery reaches webhook(), which emits the log", async () => {
  const sent = await backend.call("POST", "/api/logs", { project: PROJECT, output: "This is BAD." });
  expect(sent.status).toBe(200);
  logId = sent.body.id;
  delivered = await until("the delivery to be handled", () => trigger.calls.find((c) => c.status !== 0));
  expect(delivered.status).toBe(200);
  expect(delivered.headers["x-tracira-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(delivered.workflowData?.map((items) => items.map((i) => i.json))).toEqual([
    [
      expect.objectContaining({
        id: logId,
        status: "flagged",
        // The event the node subscribed to, by the name it was chosen with (`event` stays log.evaluated).
        hookEvent: "log.flagged",
        event: "log.evaluated",
        log: expect.objectContaining({ id: logId, projectName: PROJECT }),
      }),
    ],
  ]);
  // The backend recorded the 200 as the delivery's attempt (after the answer, so it is polled).
  const delivery = await until("the delivery to be recorded", async () => {
    const [d] = (await backend.call("GET", `/api/deliveries?logId=${encodeURIComponent(logId)}`)).body.deliveries;
    return d?.deliveredAt ? d : undefined;
  });
  expect(delivery).toMatchObject({
    kind: "hook",
    hookId: trigger.staticData().webhookId,
    target: trigger.webhookUrl,
    attempts: [expect.objectContaining({ responseStatus: 200 })],
  });
  expect(delivered.headers["x-tracira-delivery"]).toBe(delivery.id);
});

test("the same body with a forged, stale or missing signature is refused (401) and emits nothing", async () => {
  const [, v1] = /v1=([0-9a-f]+)/.exec(String(delivered.headers["x-tracira-signature"]))!;
  const now = Math.floor(Date.now() / 1000);
  const forged = `t=${now},v1=${v1!.replace(/^./, (c) => (c === "0" ? "1" : "0"))}`;
  for (const signature of [forged, sign(secret, now - 600, delivered.rawBody), ""]) {
    const refused = await replay(delivered, signature);
    expect({ signature, status: refused.status, emitted: refused.workflowData }).toEqual({ signature, status: 401, emitted: undefined });
  }
  // Control: the same body freshly signed with the secret is accepted, so the refusals were the signatures.
  const resigned = await replay(delivered, sign(secret, now, delivered.rawBody));
  expect([resigned.status, resigned.workflowData?.[0]?.[0]?.json.id]).toEqual([200, logId]);
});

test("delete removes the subscription; checkExists then says it is gone", async () => {
  await expect(trigger.webhookMethod("delete")).resolves.toBe(true);
  expect((await backend.call("GET", "/api/hooks")).body.hooks).toEqual([]);
  expect(trigger.staticData()).toEqual({});
  await expect(trigger.webhookMethod("checkExists")).resolves.toBe(false);
});

test("a subscription is removed even when the node's static data lost its id (activate → restart → re-publish → deactivate)", async () => {
  const other = await startTrigger({
    types,
    nodeType: TRIGGER,
    parameters: { events: ["log.error"], project: PROJECT },
    credentials: traciraCredentials(backend),
  });
  const forget = () => {
    const data = other.staticData();
    for (const key of Object.keys(data)) delete data[key];
  };
  const mine = async () =>
    ((await backend.call("GET", "/api/hooks")).body.hooks as { id: string; url: string }[]).filter((h) => h.url === other.webhookUrl);
  try {
    await expect(other.webhookMethod("create")).resolves.toBe(true);
    expect(await mine()).toHaveLength(1);

    forget(); // n8n restarted without the node's static data
    await expect(other.webhookMethod("checkExists")).resolves.toBe(false);
    await expect(other.webhookMethod("create")).resolves.toBe(true);
    expect(await mine()).toHaveLength(1); // the orphan was replaced, not kept beside the new one

    forget();
    await expect(other.webhookMethod("delete")).resolves.toBe(true);
    expect(await mine()).toEqual([]);
  } finally {
    await other.close();
  }
});
