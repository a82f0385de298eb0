/**
 * Proves the harness on a throwaway package (test/fixtures/probe-package) and a throwaway service, before
 * and independently of the real Tracira nodes: package loading, a workflow run through WorkflowExecute with
 * credentials applied by the generic authenticate, loadOptions, the credential test, and a webhook trigger's
 * lifecycle and deliveries through a real HTTP server.
 */
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import {
  loadOptions,
  loadPackage,
  runWorkflow,
  START_NODE_TYPE,
  startNodeType,
  startTrigger,
  testCredential,
  typesOf,
  type Types,
} from "./harness";

const TOKEN = "probe-token";

/** The service the probe nodes call: Bearer-checked JSON routes, every request recorded. */
function startProbeService() {
  const seen: Array<{ method: string; url: string; authorization?: string; body: any }> = [];
  const subs: Array<{ id: string; url: string; secret: string }> = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = raw ? JSON.parse(raw) : undefined;
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      const send = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: "bad token" });
      if (req.url === "/verify") return send(200, { ok: true });
      if (req.url === "/things")
        return send(200, [
          { id: "a", label: "Thing A" },
          { id: "b", label: "Thing B" },
        ]);
      if (req.url === "/echo") return send(200, { ok: !String(body.text).includes("no"), text: body.text });
      if (req.url === "/subs" && req.method === "GET") return send(200, subs);
      if (req.url === "/subs" && req.method === "POST") {
        const sub = { id: `sub-${subs.length + 1}`, url: body.url, secret: `secret-${subs.length + 1}` };
        subs.push(sub);
        return send(201, sub);
      }
      if (req.url?.startsWith("/subs/") && req.method === "DELETE") {
        subs.splice(
          subs.findIndex((s) => s.id === req.url!.slice(6)),
          1,
        );
        return send(200, { ok: true });
      }
      send(404, { error: "not found" });
    });
  });
  return new Promise<{ url: string; seen: typeof seen; subs: typeof subs; close: () => Promise<void> }>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        subs,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

let types: Types;
let service: Awaited<ReturnType<typeof startProbeService>>;
const credentials = () => ({ probeApi: { apiToken: TOKEN, baseUrl: service.url } });

beforeAll(async () => {
  types = typesOf([await loadPackage(path.join(__dirname, "fixtures/probe-package"))], { [START_NODE_TYPE]: startNodeType });
  service = await startProbeService();
});
afterAll(() => service.close());

test("loadPackage registers the package's nodes under their full names and its credentials", () => {
  expect(types.nodeTypes.getByName("n8n-nodes-probe.probe").description.displayName).toBe("Probe");
  expect(types.nodeTypes.getByName("n8n-nodes-probe.probeTrigger").description.displayName).toBe("Probe Trigger");
  expect(types.credentialTypes.getByName("probeApi").displayName).toBe("Probe API");
  expect(types.credentialTypes.getSupportedNodes("probeApi").sort()).toEqual(["n8n-nodes-probe.probe", "n8n-nodes-probe.probeTrigger"]);
});

test("loadPackage says to build when the package is not built", async () => {
  await expect(loadPackage(path.join(__dirname, "fixtures"))).rejects.toThrow(/package\.json/);
  await expect(loadPackage(path.join(__dirname, "fixtures/unbuilt-package"))).rejects.toThrow(/missing .*build first/);
});

test("runWorkflow runs items through the engine, with the credential's generic authenticate applied", async () => {
  service.seen.length = 0;
  const result = await runWorkflow({
    types,
    nodes: [
      {
        id: "1",
        name: "Start",
        type: START_NODE_TYPE,
        typeVersion: 1,
        position: [0, 0],
        parameters: { items: JSON.stringify([{ t: "yes" }, { t: "no way" }, { t: "yes again" }]) },
      },
      {
        id: "2",
        name: "Probe",
        type: "n8n-nodes-probe.probe",
        typeVersion: 1,
        position: [200, 0],
        parameters: { text: "={{ $json.t }}" },
        credentials: { probeApi: { id: "1", name: "probe" } },
      },
    ],
    connections: { Start: { main: [[{ node: "Probe", type: "main", index: 0 }]] } },
    credentials: credentials(),
  });
  expect(result.errorOf("Probe")).toBeUndefined();
  expect(result.outputs("Probe")).toEqual([
    [
      { ok: true, text: "yes" },
      { ok: true, text: "yes again" },
    ],
    [{ ok: false, text: "no way" }],
  ]);
  expect(service.seen.map((r) => r.authorization)).toEqual(Array(3).fill(`Bearer ${TOKEN}`));
});

test("runWorkflow reports a node's error (here: the service refuses a wrong token)", async () => {
  const result = await runWorkflow({
    types,
    nodes: [
      { id: "1", name: "Start", type: START_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: "[{}]" } },
      {
        id: "2",
        name: "Probe",
        type: "n8n-nodes-probe.probe",
        typeVersion: 1,
        position: [200, 0],
        parameters: { text: "x" },
        credentials: { probeApi: { id: "1", name: "probe" } },
      },
    ],
    connections: { Start: { main: [[{ node: "Probe", type: "main", index: 0 }]] } },
    credentials: { probeApi: { apiToken: "wrong", baseUrl: service.url } },
  });
  expect(result.errorOf("Probe")).toMatch(/Authorization failed|401/);
});

test("loadOptions calls the method with a real LoadOptionsContext and the credentials", async () => {
  await expect(loadOptions({ types, nodeType: "n8n-nodes-probe.probe", method: "getThings", credentials: credentials() })).resolves.toEqual(
    [
      { name: "Thing A", value: "a" },
      { name: "Thing B", value: "b" },
    ],
  );
  await expect(loadOptions({ types, nodeType: "n8n-nodes-probe.probe", method: "getThings" })).rejects.toThrow(/credentials/i);
});

test("testCredential runs the credential's test request: OK with the token, Error without", async () => {
  await expect(testCredential(types, "probeApi", credentials().probeApi)).resolves.toEqual({
    status: "OK",
    message: "Connection successful!",
  });
  const refused = { status: "Error", message: "Unauthorized" };
  await expect(testCredential(types, "probeApi", { apiToken: "wrong", baseUrl: service.url })).resolves.toEqual(refused);
  await expect(testCredential(types, "probeApi", { baseUrl: service.url })).resolves.toEqual(refused);
  const unreachable = await testCredential(types, "probeApi", { apiToken: TOKEN, baseUrl: "http://127.0.0.1:1" });
  expect(unreachable).toEqual({ status: "Error", message: "ECONNREFUSED" });
});

test("startTrigger: webhook methods with a real HookContext, deliveries through a real webhook server", async () => {
  const trigger = await startTrigger({
    types,
    nodeType: "n8n-nodes-probe.probeTrigger",
    parameters: { topic: "news" },
    credentials: credentials(),
  });
  try {
    expect(trigger.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/[0-9a-f-]{36}\/webhook$/);
    await expect(trigger.webhookMethod("checkExists")).resolves.toBe(false);
    await expect(trigger.webhookMethod("create")).resolves.toBe(true);
    expect(service.subs).toEqual([{ id: "sub-1", url: trigger.webhookUrl, secret: "secret-1" }]);
    expect(trigger.staticData()).toEqual({ subscriptionId: "sub-1", secret: "secret-1" });
    await expect(trigger.webhookMethod("checkExists")).resolves.toBe(true);

    const body = JSON.stringify({ hello: "world" });
    const ok = await fetch(trigger.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-probe-secret": "secret-1" },
      body,
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ message: "Workflow was started" });
    const refused = await fetch(trigger.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-probe-secret": "nope" },
      body,
    });
    expect(refused.status).toBe(401);
    const elsewhere = await fetch(trigger.webhookUrl.replace(/webhook$/, "other"), { method: "POST", body });
    expect(elsewhere.status).toBe(404);
    expect(trigger.calls.map((c) => [c.status, c.rawBody, c.workflowData?.[0]?.map((i) => i.json)])).toEqual([
      [200, body, [{ hello: "world", rawLength: body.length }]],
      [401, body, undefined],
      [404, body, undefined],
    ]);

    await expect(trigger.webhookMethod("delete")).resolves.toBe(true);
    expect(service.subs).toEqual([]);
    await expect(trigger.webhookMethod("checkExists")).resolves.toBe(false);
  } finally {
    await trigger.close();
  }
});
