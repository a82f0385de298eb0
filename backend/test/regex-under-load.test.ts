import { createTestDatabase, withAdmin, type TestDatabase } from "./helpers/postgres";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * A catastrophic pattern on a 50,000-character output must not stall the server: it runs in the regex
 * pool under a time budget, so other requests keep their latency and the rule ends `error`, explained.
 */
let db: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  // Two workers: with one workspace kept off the last one, one pattern runs at a time beside the requests.
  server = await startTestServer({ DATABASE_URL: db.url, TRACIRA_REGEX_TIMEOUT_MS: "1500", TRACIRA_REGEX_WORKERS: "2" });
  const rules = [
    { name: "Backtracker", type: "regex_match", value: "^(a+)+$", projectName: "bomb" },
    { name: "Polite", type: "keyword_required", value: "thanks", projectName: "normal" },
    { name: "Short", type: "length_limit", value: "2000", projectName: "normal" },
  ];
  for (const rule of rules) expect((await server.call("POST", "/api/rules", rule)).status).toBe(201);
  // Suites before this one leave dirty pages (databases created and dropped); flushing them now keeps a
  // checkpoint's disk writes out of the measured window, which is about the regex pool.
  await withAdmin((c) => c.query("CHECKPOINT"));
});
afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1]!;

test("other requests are not held by catastrophic regexes (p99 far under their 1,500 ms budget); the rule ends error with an explanation", async () => {
  // Sync verdicts with other rules, async logs, and reads.
  let seq = 0;
  const ops = [
    () => server.call("POST", "/api/logs", { project: "normal", output: `thanks for asking #${seq}`, sync: true }),
    () => server.call("POST", "/api/logs", { project: "normal", output: `async #${seq}` }),
    () => server.call("GET", "/api/logs?limit=10"),
    () => server.call("GET", "/api/verify"),
  ];
  // Warm up first (statement preparation, first queries, the regex pool's threads): the measure is the
  // bombs' effect, not a cold start's.
  for (let i = 0; i < 5 * ops.length; i++) expect((await ops[seq++ % ops.length]!()).status).toBe(200);
  await server.call("POST", "/api/rules/evaluate", { output: "abc", rule: { type: "regex_match", value: "b" } });

  // Then, for as long as three catastrophic patterns run: four clients, one request at a time each.
  const bombOutput = "a".repeat(49_999) + "!";
  const bombs = Array.from({ length: 3 }, () => server.call("POST", "/api/logs", { project: "bomb", output: bombOutput, sync: true }));
  const latencies: number[] = [];
  let bombsDone = false;
  const settled = Promise.all(bombs).finally(() => (bombsDone = true));
  const client = async () => {
    while (!bombsDone) {
      const op = ops[seq++ % ops.length]!;
      const started = performance.now();
      const res = await op();
      latencies.push(performance.now() - started);
      expect(res.status).toBe(200);
      if (res.body?.verdict) expect(res.body.status).toBe("pass");
    }
  };
  await Promise.all([settled, ...Array.from({ length: 4 }, client)]);

  const results = await settled;
  for (const res of results) {
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("error");
    expect(res.body.explanation).toMatch(
      /^Backtracker: The pattern \/\^\(a\+\)\+\$\/ ran longer than 1500 ms on this output and was stopped/,
    );
  }
  expect(latencies.length).toBeGreaterThan(50);
  const p99 = percentile(latencies, 99);
  if (process.env.TRACIRA_TEST_VERBOSE)
    process.stderr.write(
      `regex under load: ${latencies.length} requests, p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms\n`,
    );
  // A pattern run on the main thread would hold every request for its whole 1,500 ms budget; a third of it
  // leaves room for a busy 2-core CI machine (measured here: p99 30–110 ms) and still fails on such a stall.
  expect(p99).toBeLessThan(500);
});
