import http from "node:http";
import { cpuSnapshot, coresUsed } from "./cpu.mjs";
import { aborted } from "./procs.mjs";

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One JSON request (setup calls, not measured); resolves `{ status, body }` with the body parsed when it is JSON. */
export function requestJson(url, { method = "GET", token, body } = {}) {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = {
    ...(token && { authorization: `Bearer ${token}` }),
    ...(data && { "content-type": "application/json", "content-length": data.length }),
  };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON: keep the text */
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timeout after 30 s")));
    req.on("error", reject);
    req.end(data);
  });
}

/**
 * Drives `clients` concurrent keep-alive loops of `POST path` with `body` for `seconds`; bounded in time.
 * `body` is a value sent as JSON in every request, or a function returning each request's bytes (sent as
 * `contentType`). An answer counts as ok when its status is 200 and `check(text, bytes)` (if given) returns
 * nothing; otherwise it is an error, and the first one is kept as `firstError`. Latencies are those of ok
 * answers. `server` (`{ pid, alive }`) is watched: the loops stop if it exits, and its CPU is reported.
 */
export async function drive({ url, path = "/api/logs", token, body, contentType = "application/json", clients, seconds, server, check }) {
  const target = new URL(path, url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients, maxFreeSockets: clients });
  const fixed = typeof body === "function" ? undefined : Buffer.from(JSON.stringify(body));
  const nextPayload = typeof body === "function" ? body : () => fixed;
  const headersFor = (payload) => ({
    authorization: `Bearer ${token}`,
    "content-type": contentType,
    "content-length": payload.length,
  });
  const latencies = [];
  const statuses = new Map();
  let ok = 0;
  let errors = 0;
  let firstError;

  const once = () =>
    new Promise((resolve) => {
      const payload = nextPayload(); // made before the clock starts
      const start = performance.now();
      let answered = false;
      const done = (status, detail, bytes) => {
        if (answered) return;
        answered = true;
        const ms = performance.now() - start;
        const problem = status === 200 ? check?.(detail, bytes) : `${status}: ${detail}`;
        if (problem === undefined) {
          ok++;
          latencies.push(ms);
        } else {
          errors++;
          firstError ??= String(problem).slice(0, 500);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        resolve();
      };
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: headersFor(payload) },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const bytes = Buffer.concat(chunks);
            done(res.statusCode, bytes.toString(), bytes);
          });
          res.on("error", (e) => done("error", e.message));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error("timeout after 30 s")));
      req.on("error", (e) => done("error", e.message));
      req.end(payload);
    });

  const cpu0 = cpuSnapshot({ server: server.pid });
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && server.alive() && !aborted) await once();
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cores = coresUsed(cpu0, cpuSnapshot({ server: server.pid }), ["server", "postgres", "loadClient"]);
  agent.destroy();

  latencies.sort((a, b) => a - b);
  return {
    seconds: elapsed,
    requests: ok + errors,
    ok,
    errors,
    statuses: Object.fromEntries(statuses),
    firstError,
    throughput: ok / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
    cores,
  };
}

/** p50/p95/p99/max/mean of a list of latencies (ms). */
export function latencySummary(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
    meanMs: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
  };
}

/**
 * `count` sequential keep-alive requests (GET, or POST of `body` as JSON); resolves each one's time (ms,
 * until the last byte), status and body bytes. `onData` sees each chunk as it arrives (for streamed answers).
 * Without a `token`, no authorization is sent (a dashboard call carries its session cookie in `headers`).
 */
export async function timedRequests(url, token, count, { method = "GET", body, onData, headers: extra } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = {
    ...(token && { authorization: `Bearer ${token}` }),
    ...extra,
    ...(data && { "content-type": "application/json", "content-length": data.length }),
  };
  const once = () =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const req = http.request(url, { method, agent, headers }, (res) => {
        const chunks = [];
        res.on("data", (c) => (onData ? onData(c) : chunks.push(c)));
        res.on("error", reject);
        res.on("end", () => resolve({ ms: performance.now() - start, status: res.statusCode, body: Buffer.concat(chunks) }));
      });
      req.setTimeout(120_000, () => req.destroy(new Error("timeout after 120 s")));
      req.on("error", reject);
      req.end(data);
    });
  const out = [];
  try {
    for (let i = 0; i < count; i++) {
      if (aborted) throw new Error("interrupted");
      out.push(await once());
    }
  } finally {
    agent.destroy();
  }
  return out;
}
