import http from "node:http";
import type { AddressInfo } from "node:net";
import { component, readJson } from "./helpers/app";

const { deploy, client, main } = require("../make/scripts/deploy.js");

/** A fake of the Make API's custom-app endpoints (`/api/v2/sdk/apps/…`) on 127.0.0.1, in memory. */
function fakeMake() {
  const calls: { method: string; path: string; auth?: string; body: string }[] = [];
  const state = {
    connections: [] as any[],
    webhooks: [] as any[],
    modules: [] as any[],
    rpcs: [] as any[],
    sections: new Map<string, string>(),
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const p = new URL(req.url!, "http://x").pathname.replace(/^\/api\/v2/, "");
      calls.push({ method: req.method!, path: p, auth: req.headers.authorization, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      const parsed = () => (body ? JSON.parse(body) : {});
      const m = (re: RegExp) => re.exec(p);
      let r: RegExpExecArray | null;
      if (req.method === "PUT") {
        state.sections.set(p, body);
        return json(200, {});
      }
      if ((r = m(/^\/sdk\/apps\/([^/]+)\/(\d+)$/)) && req.method === "GET")
        return r[1] === "tracira-x"
          ? json(200, { app: { name: r[1], version: Number(r[2]) } })
          : json(404, { message: "Not found", code: "IM004" });
      if ((r = m(/^\/sdk\/apps\/([^/]+)\/connections$/))) {
        if (req.method === "GET") return json(200, { appConnections: state.connections });
        const c = { ...parsed(), name: `${r[1]}-conn${state.connections.length + 1}` };
        state.connections.push(c);
        return json(200, { appConnection: c });
      }
      if ((r = m(/^\/sdk\/apps\/([^/]+)\/webhooks$/))) {
        if (req.method === "GET") return json(200, { appWebhooks: state.webhooks });
        const w = { ...parsed(), name: `${r[1]}-hook${state.webhooks.length + 1}` };
        state.webhooks.push(w);
        return json(200, { appWebhook: { label: w.label, type: w.type } });
      }
      if ((r = m(/^\/sdk\/apps\/[^/]+\/\d+\/(modules|rpcs)$/))) {
        const list = r[1] === "modules" ? state.modules : state.rpcs;
        const key = r[1] === "modules" ? "appModules" : "appRpcs";
        if (req.method === "GET") return json(200, { [key]: list });
        const item = { connection: null, webhook: null, crud: null, ...parsed() };
        list.push(item);
        return json(200, { [r[1] === "modules" ? "appModule" : "appRpc"]: item });
      }
      if ((r = m(/^\/sdk\/apps\/[^/]+\/\d+\/(modules|rpcs)\/([^/]+)$/)) && req.method === "PATCH") {
        const list = r[1] === "modules" ? state.modules : state.rpcs;
        const item = list.find((x) => x.name === r![2]);
        Object.assign(item, parsed());
        return json(200, { [r[1] === "modules" ? "appModule" : "appRpc"]: item });
      }
      json(404, { message: `fake: no route ${req.method} ${p}` });
    });
  });
  return { server, calls, state };
}

let fake: ReturnType<typeof fakeMake>;
let zone: string;
const TOKEN = "0f8fad5b-d9cb-469f-a165-70867728950e";

beforeAll(async () => {
  fake = fakeMake();
  await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
  zone = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => fake.server.close(r)));

const writes = () => fake.calls.filter((c) => c.method !== "GET");
const summary = () => writes().map((c) => `${c.method} ${c.path}`);

describe("deploy script against a fake Make API", () => {
  const run = () => deploy({ make: client(TOKEN, zone), appName: "tracira-x", appVersion: 1 });

  it("first run: creates the connection, webhooks, modules and RPCs, and sets every section", async () => {
    await run();
    expect(fake.calls.every((c) => c.auth === `Token ${TOKEN}`)).toBe(true);
    const posts = summary().filter((s) => s.startsWith("POST"));
    expect(posts).toEqual([
      "POST /sdk/apps/tracira-x/connections",
      "POST /sdk/apps/tracira-x/webhooks",
      "POST /sdk/apps/tracira-x/webhooks",
      ...Object.keys(readJson("makecomapp.json").components.module).map(() => "POST /sdk/apps/tracira-x/1/modules"),
      ...["models", "projects", "tasks"].map(() => "POST /sdk/apps/tracira-x/1/rpcs"),
    ]);
    // Modules carry the remote connection/webhook names and the type ids.
    const watch = fake.state.modules.find((m) => m.name === "watchVerdicts");
    expect(watch).toMatchObject({ typeId: 10, connection: "tracira-x-conn1", webhook: "tracira-x-hook1" });
    expect(fake.state.modules.find((m) => m.name === "logExecution")).toMatchObject({ typeId: 4, crud: "create" });
    expect(fake.state.modules.find((m) => m.name === "makeApiCall")?.typeId).toBe(12);
    expect(fake.state.modules.find((m) => m.name === "searchLogs")?.typeId).toBe(9);
    // Sections: exactly the files.
    const s = fake.state.sections;
    expect(JSON.parse(s.get("/sdk/apps/tracira-x/1/base")!)).toEqual(readJson("general/base.iml.json"));
    expect(JSON.parse(s.get("/sdk/apps/tracira-x/1/modules/logExecution/api")!)).toEqual(
      component("module", "logExecution").code.communication,
    );
    expect(JSON.parse(s.get("/sdk/apps/tracira-x/1/modules/logExecution/expect")!)).toEqual(
      component("module", "logExecution").code.mappableParams,
    );
    expect(JSON.parse(s.get("/sdk/apps/webhooks/tracira-x-hook1/attach")!)).toEqual(component("webhook", "verdicts").code.attach);
    expect(JSON.parse(s.get("/sdk/apps/webhooks/tracira-x-hook2/detach")!)).toEqual(component("webhook", "decisions").code.detach);
    expect(JSON.parse(s.get("/sdk/apps/connections/tracira-x-conn1/api")!)).toEqual(component("connection", "tracira").code.communication);
    expect(JSON.parse(s.get("/sdk/apps/tracira-x/1/rpcs/tasks/api")!)).toEqual(component("rpc", "tasks").code.communication);
  });

  it("second run: reads what exists and only updates (no creates, no metadata changes)", async () => {
    const firstSections = summary().filter((x) => x.startsWith("PUT"));
    fake.calls.length = 0;
    await run();
    expect(summary().filter((x) => !x.startsWith("PUT"))).toEqual([]);
    expect(summary()).toEqual(firstSections);
    expect(fake.state.connections).toHaveLength(1);
    expect(fake.state.webhooks).toHaveLength(2);
    expect(fake.state.modules).toHaveLength(Object.keys(readJson("makecomapp.json").components.module).length);
    expect(fake.state.rpcs).toHaveLength(3);
  });

  it("a changed label is an update (PATCH), not a create", async () => {
    fake.state.modules.find((m) => m.name === "getLog").label = "Old label";
    fake.calls.length = 0;
    await run();
    expect(summary().filter((x) => !x.startsWith("PUT"))).toEqual(["PATCH /sdk/apps/tracira-x/1/modules/getLog"]);
  });

  it("dry run: only reads, and prints the plan", async () => {
    fake.calls.length = 0;
    const lines: string[] = [];
    const steps = await deploy({
      make: client(TOKEN, zone),
      appName: "tracira-x",
      appVersion: 1,
      dryRun: true,
      log: (l: string) => lines.push(l),
    });
    expect(writes()).toEqual([]);
    expect(steps.some((x: string) => x.startsWith("create"))).toBe(false);
    expect(lines).toContain("[dry-run] set module logExecution api");
  });

  it("the CLI needs a token and zone unless dry-run, and fails clearly on an unknown app", async () => {
    await expect(main([], { MAKE_APP_NAME: "tracira-x" })).rejects.toThrow(/MAKE_API_TOKEN/);
    await expect(main([], { MAKE_API_TOKEN: TOKEN, MAKE_ZONE: zone, MAKE_APP_NAME: "nope" })).rejects.toThrow(/app nope v1 not found/);
  });
});
