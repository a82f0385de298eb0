import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { LookupAddress } from "node:dns";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import {
  BodyTooLargeError,
  createUrlGuard,
  guardedRequest,
  type LookupAll,
  OutboundTimeoutError,
  OutboundUrlError,
  readLimited,
  UrlGuard,
} from "../src/outbound";

const STRICT = { allowPrivate: false, allowedCidrs: [] };

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  port: number;
  url: string;
  received: Received[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A real HTTP server on `host` that records every request, then lets `handle` answer it. */
async function startServer(
  host: string,
  handle: (req: IncomingMessage, res: ServerResponse, self: TestServer) => void = (_req, res) => res.end("secret"),
): Promise<TestServer> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      handle(req, res, self);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const self: TestServer = {
    port,
    url: `http://${host}:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(self);
  return self;
}

function redirect(res: ServerResponse, status: number, location: string) {
  res.writeHead(status, { location });
  res.end("moved");
}

async function text(res: { body: Readable }): Promise<string> {
  return (await readLimited(res.body, 1024 * 1024)).toString();
}

/** A fake resolver: names map to addresses; unknown names fail like a real NXDOMAIN. */
function fakeDns(table: Record<string, string | string[]>): LookupAll {
  return async (hostname) => {
    const entry = table[hostname];
    if (entry === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return (Array.isArray(entry) ? entry : [entry]).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

describe("check() at write time", () => {
  const guard = new UrlGuard(STRICT, fakeDns({}));

  test.each([
    ["http://127.0.0.1/", "private_address"],
    ["http://[::1]/", "private_address"],
    ["http://10.1.2.3/", "private_address"],
    ["http://172.16.0.1/", "private_address"],
    ["http://172.31.255.255/", "private_address"],
    ["http://192.168.1.1/", "private_address"],
    ["http://169.254.169.254/latest/meta-data/", "private_address"],
    ["http://100.64.0.1/", "private_address"],
    ["http://100.100.100.200/", "private_address"],
    ["http://100.127.255.254/", "private_address"],
    ["http://[::ffff:127.0.0.1]/", "private_address"],
    ["http://[::ffff:a9fe:a9fe]/", "private_address"],
    ["http://[64:ff9b::a9fe:a9fe]/", "private_address"],
    ["http://[2002:a00:1::1]/", "private_address"],
    ["http://[fd00:ec2::254]/", "private_address"],
    ["http://[fe80::1]/", "private_address"],
    ["http://0.0.0.0/", "private_address"],
    ["http://localhost:3000/", "private_address"],
    ["http://LOCALHOST./", "private_address"],
    ["http://api.localhost/", "private_address"],
    ["http://2130706433/", "private_address"],
    ["http://0x7f.1/", "private_address"],
    ["http://127.1/", "private_address"],
    ["http://017700000001/", "private_address"],
    ["ftp://example.com/file", "scheme"],
    ["file:///etc/passwd", "scheme"],
    ["javascript:alert(1)", "scheme"],
    ["http://user:pw@example.com/", "credentials"],
    ["http://user@example.com/", "credentials"],
    ["not a url", "malformed"],
    ["http://1.2.3.4.5/", "malformed"],
  ])("refuses %s (%s)", async (url, reason) => {
    const error = await guard.check(url, "callbackUrl").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundUrlError);
    expect(error).toMatchObject({ reason });
    expect((error as Error).message).toMatch(/^callbackUrl /);
  });

  test("WHATWG URL turns decimal, hex and short IPv4 forms into 127.0.0.1 before the check", () => {
    for (const url of ["http://2130706433/", "http://0x7f.1/", "http://127.1/"]) {
      expect(new URL(url).hostname).toBe("127.0.0.1");
    }
  });

  test("the message tells a builder what is wrong and how self-hosters lift it", async () => {
    await expect(guard.check("http://10.0.0.5/hook", "callbackUrl")).rejects.toThrow(
      "callbackUrl points to a private network address (10.0.0.5); Tracira only calls public addresses. Self-hosters can allow it with TRACIRA_ALLOW_PRIVATE_URLS.",
    );
  });

  test.each([
    "http://93.184.216.34/",
    "https://[2606:4700::1111]/",
    "https://example.com:8443/path?q=1",
    "http://172.15.255.255/",
    "http://172.32.0.0/",
    "http://100.63.255.255/",
    "http://100.128.0.0/",
    "http://[::ffff:93.184.216.34]/",
    "http://[2002:5db8:d822::1]/",
  ])("accepts %s", async (url) => {
    await expect(guard.check(url, "callbackUrl")).resolves.toBeUndefined();
  });
});

describe("check() resolves hostnames", () => {
  const guard = new UrlGuard(
    STRICT,
    fakeDns({
      "metadata.attacker.test": "169.254.169.254",
      "intranet.attacker.test": ["93.184.216.34", "10.0.0.5"],
      "v6.attacker.test": ["2606:4700::1111", "fd00::1"],
      "public.example.test": "93.184.216.34",
    }),
  );

  test("a name resolving to the metadata address is refused, without telling the address", async () => {
    const error = await guard.check("http://metadata.attacker.test/latest", "hook url").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundUrlError);
    expect(error).toMatchObject({ reason: "private_address" });
    expect((error as Error).message).toContain("hook url host metadata.attacker.test resolves to a private network address");
    expect((error as Error).message).not.toContain("169.254");
  });

  test("a name with one public and one private address is refused (every address is checked)", async () => {
    await expect(guard.check("http://intranet.attacker.test/", "f")).rejects.toMatchObject({ reason: "private_address" });
    await expect(guard.check("https://v6.attacker.test/", "f")).rejects.toMatchObject({ reason: "private_address" });
  });

  test("a name resolving to public addresses is accepted", async () => {
    await expect(guard.check("https://public.example.test/hook", "f")).resolves.toBeUndefined();
  });

  test("a name that does not resolve is accepted at write time (checked again at send time)", async () => {
    await expect(guard.check("https://nowhere.test/", "f")).resolves.toBeUndefined();
  });

  test("a resolver that never answers is given up on after 3 s and the URL accepted", async () => {
    const hanging = new UrlGuard(STRICT, () => new Promise(() => undefined));
    const started = Date.now();
    await expect(hanging.check("https://slow.test/", "f")).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
  });

  test("with the real resolver, localhost is refused", async () => {
    const real = createUrlGuard(STRICT);
    await expect(real.check("http://localhost/", "f")).rejects.toMatchObject({ reason: "private_address" });
    await expect(real.check("http://localhost:3000/", "f")).rejects.toMatchObject({ reason: "private_address" });
  });

  test("with the real resolver, the lookup hook refuses what resolves to loopback", async () => {
    const real = createUrlGuard(STRICT);
    const result = await new Promise<{ err: unknown; address: unknown }>((resolve) =>
      real.lookup("127.0.0.1", { all: true }, (err, address) => resolve({ err, address })),
    );
    expect(result.err).toBeInstanceOf(OutboundUrlError);
  });

  test("the lookup hook answers in both the single and the all:true form Node asks for", async () => {
    const ask = (all: boolean, family?: number) =>
      new Promise<{ address: string | LookupAddress[]; family: number | undefined }>((resolve, reject) =>
        new UrlGuard(STRICT, fakeDns({ "dual.test": ["93.184.216.34", "2606:4700::1111"] })).lookup(
          "dual.test",
          { all, family },
          (err, address, fam) => (err ? reject(err) : resolve({ address, family: fam })),
        ),
      );
    expect(await ask(false)).toEqual({ address: "93.184.216.34", family: 4 });
    expect(await ask(false, 6)).toEqual({ address: "2606:4700::1111", family: 6 });
    expect((await ask(true)).address).toEqual([
      { address: "93.184.216.34", family: 4 },
      { address: "2606:4700::1111", family: 6 },
    ]);
  });
});

describe("isAllowedAddress and the policy", () => {
  test("embedded IPv4 in mapped, NAT64 and 6to4 addresses is checked", () => {
    const guard = new UrlGuard(STRICT);
    for (const ip of [
      "::ffff:10.0.0.1",
      "::ffff:a00:1",
      "64:ff9b::7f00:1",
      "64:ff9b::10.0.0.1",
      "2002:c0a8:101::",
      "64:ff9b:1::1",
      "::",
      "ff02::1",
      "100::1",
      "2001:db8::1",
      "fe80::1%eth0",
      "not-an-ip",
    ]) {
      expect([ip, guard.isAllowedAddress(ip)]).toEqual([ip, false]);
    }
    for (const ip of ["8.8.8.8", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111", "[2606:4700::1111]"]) {
      expect([ip, guard.isAllowedAddress(ip)]).toEqual([ip, true]);
    }
  });

  test("allowedCidrs lifts only those ranges, IPv4 or IPv6, including their mapped forms", () => {
    const guard = new UrlGuard({ allowPrivate: false, allowedCidrs: ["127.0.0.2/32", "10.1.0.0/16", "fd00:1::/32"] });
    expect(guard.isAllowedAddress("127.0.0.2")).toBe(true);
    expect(guard.isAllowedAddress("::ffff:127.0.0.2")).toBe(true);
    expect(guard.isAllowedAddress("10.1.200.3")).toBe(true);
    expect(guard.isAllowedAddress("fd00:1::5")).toBe(true);
    expect(guard.isAllowedAddress("127.0.0.1")).toBe(false);
    expect(guard.isAllowedAddress("10.2.0.1")).toBe(false);
    expect(guard.isAllowedAddress("fd00:2::5")).toBe(false);
    expect(guard.isAllowedAddress("169.254.169.254")).toBe(false);
  });

  test("allowPrivate allows every address but still only http and https", async () => {
    const guard = new UrlGuard({ allowPrivate: true, allowedCidrs: [] });
    expect(guard.isAllowedAddress("127.0.0.1")).toBe(true);
    await expect(guard.check("http://localhost:3000/", "f")).resolves.toBeUndefined();
    await expect(guard.check("http://10.0.0.5/", "f")).resolves.toBeUndefined();
    await expect(guard.check("file:///etc/passwd", "f")).rejects.toMatchObject({ reason: "scheme" });
  });

  test("a range that is not a CIDR stops the start with a message naming the variable", () => {
    expect(() => new UrlGuard({ allowPrivate: false, allowedCidrs: ["10.0.0.0/33"] })).toThrow(/TRACIRA_ALLOW_PRIVATE_URLS/);
    expect(() => new UrlGuard({ allowPrivate: false, allowedCidrs: ["1.2.3/8"] })).toThrow(/TRACIRA_ALLOW_PRIVATE_URLS/);
  });
});

describe("guardedRequest at send time (real sockets)", () => {
  let receiver: TestServer;
  beforeAll(async () => {
    receiver = await startServer("127.0.0.1");
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });

  test("an IP-literal private URL is refused before connecting", async () => {
    const error = await guardedRequest(new UrlGuard(STRICT), `${receiver.url}/`, { method: "GET" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundUrlError);
    expect(error).toMatchObject({ reason: "private_address" });
    expect(receiver.received).toHaveLength(0);
  });

  test("a name rebound to 127.0.0.1 after the write-time check is refused at connect", async () => {
    let calls = 0;
    const rebinding: LookupAll = async () => [{ address: ++calls === 1 ? "93.184.216.34" : "127.0.0.1", family: 4 }];
    const guard = new UrlGuard(STRICT, rebinding);
    const url = `http://rebind.test:${receiver.port}/`;
    await expect(guard.check(url, "callbackUrl")).resolves.toBeUndefined();
    const error = await guardedRequest(guard, url, { method: "POST", body: "{}" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundUrlError);
    expect(error).toMatchObject({ reason: "private_address" });
    expect(receiver.received).toHaveLength(0);
  });

  test("a name that always resolves to 127.0.0.1 is refused at connect", async () => {
    const guard = new UrlGuard(STRICT, fakeDns({ "rebind.test": "127.0.0.1" }));
    await expect(guardedRequest(guard, `http://rebind.test:${receiver.port}/`, { method: "GET" })).rejects.toBeInstanceOf(OutboundUrlError);
    expect(receiver.received).toHaveLength(0);
  });

  test("localhost is refused at send time too", async () => {
    await expect(guardedRequest(new UrlGuard(STRICT), `http://localhost:${receiver.port}/`, { method: "GET" })).rejects.toMatchObject({
      reason: "private_address",
    });
    expect(receiver.received).toHaveLength(0);
  });

  test("a name that does not resolve at send time fails with the DNS error (retryable, not a refusal)", async () => {
    const guard = new UrlGuard(STRICT, fakeDns({}));
    const error = await guardedRequest(guard, "http://nowhere.test/", { method: "GET" }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OutboundUrlError);
    expect(error).toMatchObject({ code: "ENOTFOUND" });
  });

  test("allowPrivate reaches 127.0.0.1", async () => {
    const res = await guardedRequest(createUrlGuard({ allowPrivate: true, allowedCidrs: [] }), `${receiver.url}/hello`, {
      method: "GET",
    });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${receiver.url}/hello`);
    expect(await text(res)).toBe("secret");
    expect(receiver.received).toHaveLength(1);
  });

  test("an allowed CIDR reaches its address through a hostname (the lookup hook connects)", async () => {
    const guard = new UrlGuard({ allowPrivate: false, allowedCidrs: ["127.0.0.1/32"] }, fakeDns({ "inside.test": "127.0.0.1" }));
    const res = await guardedRequest(guard, `http://inside.test:${receiver.port}/x`, { method: "POST", body: "ping" });
    expect(res.status).toBe(200);
    await text(res);
    expect(receiver.received).toMatchObject([
      { method: "POST", path: "/x", body: "ping", headers: { host: `inside.test:${receiver.port}` } },
    ]);
  });
});

describe("redirects", () => {
  const guard = new UrlGuard({ allowPrivate: false, allowedCidrs: ["127.0.0.2/32"] });
  let receiver: TestServer;
  let redirector: TestServer;
  let other: TestServer;

  beforeAll(async () => {
    receiver = await startServer("127.0.0.1");
    other = await startServer("127.0.0.2", (_req, res) => res.end("other origin"));
    redirector = await startServer("127.0.0.2", (req, res, self) => {
      const [path = "", query = ""] = (req.url ?? "").split("?");
      const params = new URLSearchParams(query);
      if (path === "/go") return redirect(res, Number(params.get("status") ?? 302), params.get("to") ?? "/ok");
      if (path === "/loop") return redirect(res, 302, `${self.url}/loop`);
      if (path === "/relative") return redirect(res, 301, "ok?from=relative");
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: req.method, path: req.url }));
    });
  });
  beforeEach(() => {
    receiver.received.length = 0;
    redirector.received.length = 0;
    other.received.length = 0;
  });

  const go = (to: string, status = 302) => `${redirector.url}/go?status=${status}&to=${encodeURIComponent(to)}`;

  test("a public-looking URL that redirects to a private address is refused, and the private one never called", async () => {
    const error = await guardedRequest(guard, go(`${receiver.url}/secret`), { method: "GET" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundUrlError);
    expect(error).toMatchObject({ reason: "private_address" });
    expect((error as Error).message).toContain("redirect target points to a private network address (127.0.0.1)");
    expect(redirector.received).toHaveLength(1);
    expect(receiver.received).toHaveLength(0);
  });

  test.each([
    ["to the metadata service", "http://169.254.169.254/latest/meta-data/", "private_address"],
    ["to localhost", "http://localhost/", "private_address"],
    ["to another scheme", "file:///etc/passwd", "scheme"],
    ["with credentials", "http://u:p@127.0.0.2/", "credentials"],
  ])("a redirect %s is refused", async (_what, to, reason) => {
    await expect(guardedRequest(guard, go(to), { method: "GET" })).rejects.toMatchObject({ reason });
  });

  test("a redirect to an allowed address is followed", async () => {
    const res = await guardedRequest(guard, go(`${redirector.url}/ok`), { method: "GET" });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${redirector.url}/ok`);
    expect(JSON.parse(await text(res))).toEqual({ method: "GET", path: "/ok" });
  });

  test("a relative Location is resolved against the current URL", async () => {
    const res = await guardedRequest(guard, `${redirector.url}/relative`, { method: "GET" });
    expect(res.url).toBe(`${redirector.url}/ok?from=relative`);
    await text(res);
  });

  test("a chain longer than maxRedirects is refused with too_many_redirects", async () => {
    await expect(guardedRequest(guard, `${redirector.url}/loop`, { method: "GET", maxRedirects: 2 })).rejects.toMatchObject({
      reason: "too_many_redirects",
    });
    expect(redirector.received).toHaveLength(3);
    await expect(guardedRequest(guard, `${redirector.url}/loop`, { method: "GET" })).rejects.toBeInstanceOf(OutboundUrlError);
    expect(redirector.received).toHaveLength(3 + 6);
  });

  test("maxRedirects 0 refuses the first redirect", async () => {
    await expect(guardedRequest(guard, go(`${redirector.url}/ok`), { method: "GET", maxRedirects: 0 })).rejects.toMatchObject({
      reason: "too_many_redirects",
    });
  });

  test.each([
    [307, "POST", "payload"],
    [308, "POST", "payload"],
    [301, "GET", ""],
    [302, "GET", ""],
    [303, "GET", ""],
  ])("a %i after POST continues as %s", async (status, method, body) => {
    const res = await guardedRequest(guard, go(`${redirector.url}/ok`, status), {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "payload",
    });
    expect(res.status).toBe(200);
    await text(res);
    const final = redirector.received.at(-1);
    expect(final).toMatchObject({ method, path: "/ok", body });
    expect(final?.headers["content-type"]).toBe(method === "POST" ? "text/plain" : undefined);
  });

  test("credentials follow a redirect within the origin, never to another origin", async () => {
    const headers = { authorization: "Bearer top-secret", "x-api-key": "k", "x-tracira-event": "log.evaluated" };
    await text(await guardedRequest(guard, go(`${redirector.url}/ok`), { method: "GET", headers }));
    expect(redirector.received.at(-1)?.headers).toMatchObject(headers);

    await text(await guardedRequest(guard, go(`${other.url}/elsewhere`), { method: "GET", headers }));
    const sent = other.received.at(-1)?.headers;
    expect(sent?.authorization).toBeUndefined();
    expect(sent?.["x-api-key"]).toBeUndefined();
    expect(sent?.["x-tracira-event"]).toBe("log.evaluated");
  });
});

describe("deadline and body limit", () => {
  const guard = new UrlGuard({ allowPrivate: true, allowedCidrs: [] });

  test("a server that accepts and never answers ends in OutboundTimeoutError", async () => {
    const silent = await startServer("127.0.0.1", () => undefined);
    const started = Date.now();
    const error = await guardedRequest(guard, `${silent.url}/`, { method: "POST", body: "x", timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundTimeoutError);
    expect((error as Error).message).toBe("no answer within 300 ms");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("the deadline covers the whole redirect chain", async () => {
    const slow = await startServer("127.0.0.1", (_req, res, self) => setTimeout(() => redirect(res, 302, `${self.url}/again`), 150));
    await expect(guardedRequest(guard, `${slow.url}/`, { method: "GET", timeoutMs: 400, maxRedirects: 10 })).rejects.toBeInstanceOf(
      OutboundTimeoutError,
    );
  });

  test("the caller's signal aborts the request, and after the headers, the body", async () => {
    const silent = await startServer("127.0.0.1", () => undefined);
    const controller = new AbortController();
    const pending = guardedRequest(guard, `${silent.url}/`, { method: "GET", signal: controller.signal });
    controller.abort(new Error("shutting down"));
    await expect(pending).rejects.toThrow("shutting down");

    const trickle = await startServer("127.0.0.1", (_req, res) => res.write("partial"));
    const later = new AbortController();
    const res = await guardedRequest(guard, `${trickle.url}/`, { method: "GET", signal: later.signal });
    const reading = readLimited(res.body, 1024);
    later.abort(new Error("enough"));
    await expect(reading).rejects.toThrow("enough");
  });

  test("readLimited refuses a 2 MB body at 1 MB, and reads one under the limit", async () => {
    const big = await startServer("127.0.0.1", (_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, "a")));
    const res = await guardedRequest(guard, `${big.url}/`, { method: "GET" });
    const error = await readLimited(res.body, 1024 * 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ maxBytes: 1024 * 1024 });
    expect(res.body.destroyed).toBe(true);

    await expect(readLimited(Readable.from([Buffer.from("ab"), Buffer.from("cd")]), 4)).resolves.toEqual(Buffer.from("abcd"));
  });
});
