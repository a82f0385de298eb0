#!/usr/bin/env node
/**
 * Spans benchmark: OTLP/HTTP trace ingest (`POST /v1/traces`) beside Postgres inserting the same span rows,
 * and `GET /api/traces/:id` of a 1,000-span trace beside the same SQL reads.
 *
 *   npm run bench:spans -- [--seconds 10] [--clients 32] [--warmup 3] [--spans-per-export 10] [--protobuf]
 *                          [--reads 200] [--read-warmup 20] [--read-spans 1000] [--worker-off] [--json] [--cpu-prof]
 *                          [--server main.js] [--only ingest,read,queries] [--search-spans 1000000] [--export-events 100000]
 *
 * One run, on a fresh database (dropped at the end, also on failure or Ctrl-C; 127.0.0.1 only):
 *
 * 1. Ingest. The built server (its worker on, as in production, unless --worker-off) takes OTLP exports from
 *    `--clients` keep-alive clients: each request is one export of one trace of `--spans-per-export` spans
 *    (a root `invoke_agent` span, then `chat` and `execute_tool` children with gen_ai.* attributes), fresh
 *    random trace and span ids and current times per request. JSON by default, protobuf with --protobuf.
 *    A non-200 answer or a partial success (rejected spans) is an error. The server is then stopped, so its
 *    database transactions per export can be counted.
 * 2. Read. A server (worker on) gets two rules and one trace of `--read-spans` spans in one export; once it
 *    is evaluated, `GET /api/traces/<id>` is timed `--reads` times in a row after `--read-warmup` untimed
 *    ones; then the three SQL reads of TraceQueryService.get (header, then spans and evaluations side by
 *    side on a pool of 2) through `pg` from this process, the same number of times.
 * 3. Baseline for 1. pgbench with as many clients, for as long, inserting the same rows per transaction:
 *    the log (the columns the server fills for an OTLP trace), one multi-row INSERT of the spans (the values
 *    the server stored for one trace of run 1, with fresh ids), the rollup UPDATE (REFRESH_ROLLUPS of
 *    spans.ts) and the settle UPDATE (SETTLE of traces/parts.ts), in one transaction.
 *    Ratio = server spans/s ÷ pgbench spans/s (tps × spans per export).
 *
 * 4. Queries (bench/spans/queries.mjs), last, on the same database: three projects seeded by SQL (bench/spans/
 *    seed.mjs) — `--search-spans` spans in traces of 10, a session of 10 traces × 20 spans, `--export-events`
 *    events — then POST /api/traces/search with three typed filters beside the same search written by hand in
 *    SQL and the bare index lookup of the first page; GET …/sessions/:id/metrics of the 200-event session
 *    beside reading its events in one query; and GET …/sessions/export?format=csv of the export project,
 *    streamed, with rows/s beside Postgres' own COPY … TO STDOUT (CSV) of the same rows and the server's
 *    peak resident memory over its idle figure (sampled every 20 ms from /proc).
 *
 * Goals (issues): ingest ≥ 0.7 × pgbench; p95 of GET /api/traces/:id of a 1,000-span trace ≤ 50 ms; search
 * p95 ≤ 100 ms over ≥ 1M spans; session metrics p95 ≤ 50 ms; export memory flat, < 100 MB over idle. A missed
 * goal is reported, not an error; the exit code is non-zero only for errors (bad answers, missing rows).
 *
 * --cpu-prof writes a V8 profile of the server of run 1 to bench/results/profile-<time>/. Env: BENCH_PG_URL,
 * PGBENCH, DATABASE_POOL_SIZE (passed on), as for bench:ingest.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { parseArgs } from "../lib/args.mjs";
import { fmt, formatCores, log, RESULTS_DIR, ROOT, sleep, writeResults } from "../lib/common.mjs";
import { commits, dbUrl, query, settle } from "../lib/db.mjs";
import { drive, latencySummary, requestJson, timedRequests } from "../lib/http-load.mjs";
import { oneLine, pgbench } from "../lib/pgbench.mjs";
import { stopIfAborted } from "../lib/procs.mjs";
import { runBench } from "../lib/session.mjs";
import { DEFAULT_SERVER, startServer } from "../lib/tracira.mjs";
import { measureQueries, QUERY_GOALS } from "./queries.mjs";

const USAGE = `
usage: node bench/spans/run.mjs [options]     (npm run bench:spans -- [options]; build first)

  --seconds S            length of the ingest run and of the pgbench run (default 10)
  --clients N            keep-alive HTTP clients, and pgbench clients (default 32)
  --warmup S             ingest warm-up (default 3)
  --spans-per-export N   spans per export (one trace each), 2..1000 (default 10)
  --protobuf             send application/x-protobuf instead of OTLP/JSON
  --worker-off           ingest with the server's worker off (TRACIRA_WORKER=false): ingest alone
  --reads N              timed GET /api/traces/:id requests (default 200)
  --read-warmup N        untimed ones before them (default 20)
  --read-spans N         spans of the trace read, 2..1000 (default 1000)
  --json                 write bench/results/spans-<time>.json
  --cpu-prof             write a V8 CPU profile of the ingest server to bench/results/profile-<time>/
  --server PATH          server entry (default backend/dist/main.js)
  --only PHASES          comma-separated: ingest (with its pgbench baseline), read, queries (default all)
  --search-spans N       spans of the searched project (default 1000000)
  --export-events N      events of the exported project (default 100000)

Needs Postgres at 127.0.0.1:5432 (user postgres, trust; BENCH_PG_URL overrides) and pgbench.
`;
const OPTIONS = {
  seconds: { kind: "number", default: 10, min: 1 },
  clients: { kind: "number", default: 32, min: 1 },
  warmup: { kind: "number", default: 3 },
  spansPerExport: { kind: "number", default: 10, min: 2 },
  protobuf: { kind: "flag" },
  workerOff: { kind: "flag" },
  reads: { kind: "number", default: 200, min: 1 },
  readWarmup: { kind: "number", default: 20 },
  readSpans: { kind: "number", default: 1_000, min: 2 },
  json: { kind: "flag" },
  cpuProf: { kind: "flag" },
  server: { kind: "path", default: DEFAULT_SERVER },
  only: { kind: "string", default: "ingest,read,queries" },
  searchSpans: { kind: "number", default: 1_000_000, min: 10 },
  exportEvents: { kind: "number", default: 100_000, min: 10 },
};
const PHASES = ["ingest", "read", "queries"];

const GOALS = { ingestRatio: 0.7, readP95Ms: 50 };
/** LIMITS.spansPerRequest: the most spans one export may carry for one trace. */
const MAX_SPANS = 1_000;
const SERVICE = "bench-agent";
/** Rules of the read phase, so the trace read has evaluations (its log passes both). */
const READ_RULES = [
  { name: "No refunds promised", type: "keyword_forbidden", value: "full refund" },
  { name: "Not too long", type: "length_limit", value: "2000" },
];

// ---------- the export ----------

const ANSWER = "Your order #48213 shipped this morning from Rotterdam and should arrive on Thursday. Reply here if anything looks off.";
const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: value } });
const MS = 1_000_000n;

/**
 * Span k's start and end, in ns from the trace's start: the root spans the whole trace, its children follow
 * each other 10 ms apart. Times are indexed 2k (start) and 2k + 1 (end).
 */
const timeOffsets = (n) =>
  Array.from({ length: 2 * n }, (_, t) => {
    const k = t >> 1;
    if (k === 0) return t === 0 ? 0n : BigInt(n) * 10n * MS;
    return BigInt(k - 1) * 10n * MS + MS + (t & 1 ? 8n * MS : 0n);
  });

/**
 * One OTLP/JSON export of one trace of `n` spans: a root agent span, then alternately an LLM call and a tool
 * call under it. `spanId(k)` and `time(t)` give the ids (hex) and the times (ns as strings).
 */
function buildExport(n, { traceId, spanId, time }) {
  const spans = [];
  for (let k = 0; k < n; k++) {
    const base = { traceId, spanId: spanId(k), startTimeUnixNano: time(2 * k), endTimeUnixNano: time(2 * k + 1) };
    if (k === 0) {
      spans.push({
        ...base,
        name: "invoke_agent support",
        kind: 1,
        attributes: [
          str("gen_ai.operation.name", "invoke_agent"),
          str("gen_ai.agent.name", "support"),
          str("gen_ai.provider.name", "openai"),
        ],
      });
    } else if (k % 2 === 1) {
      spans.push({
        ...base,
        parentSpanId: spanId(0),
        name: "chat gpt-4o-mini",
        kind: 3,
        attributes: [
          str("gen_ai.operation.name", "chat"),
          str("gen_ai.provider.name", "openai"),
          str("gen_ai.request.model", "gpt-4o-mini"),
          int("gen_ai.usage.input_tokens", 400 + k),
          int("gen_ai.usage.output_tokens", 60 + (k % 7)),
          str(
            "gen_ai.output.messages",
            JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: ANSWER }], finish_reason: "stop" }]),
          ),
        ],
      });
    } else {
      spans.push({
        ...base,
        parentSpanId: spanId(0),
        name: "execute_tool lookup_order",
        kind: 1,
        attributes: [
          str("gen_ai.operation.name", "execute_tool"),
          str("gen_ai.tool.name", "lookup_order"),
          str("gen_ai.tool.call.id", `call_${k}`),
        ],
      });
    }
  }
  return {
    resourceSpans: [
      { resource: { attributes: [str("service.name", SERVICE)] }, scopeSpans: [{ scope: { name: "tracira-bench", version: "1" }, spans }] },
    ],
  };
}

/** The opentelemetry-proto types, loaded as backend/src/services/traces/otlp/decode.ts loads them. */
function protoTypes() {
  const protobuf = createRequire(path.join(ROOT, "backend/package.json"))("protobufjs");
  const dir = path.join(ROOT, "backend/proto");
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(dir, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
  return {
    request: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
    response: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse"),
  };
}

const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);
/** Protobuf carries ids as bytes: the JSON export's hex ids as Buffers, for `fromObject`. */
const idsToBytes = (value, key) => {
  if (typeof value === "string" && ID_FIELDS.has(key)) return Buffer.from(value, "hex");
  if (Array.isArray(value)) return value.map((v) => idsToBytes(v));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, idsToBytes(v, k)]));
  return value;
};

const offsetsOf = (haystack, needle) => {
  const out = [];
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) out.push(i);
  return out;
};

/**
 * The export encoded once (JSON or protobuf) with marker ids and times, and where each marker sits, so a
 * request only copies the bytes and writes fresh ids and times in place: the load client stays cheap.
 * Markers are random (ids) or 19-digit values no real field holds (times); each must be found as often as
 * it was written, else the template is refused.
 */
function exportTemplate(n, types) {
  const ids = randomBytes(16 + 8 * n);
  const hex = ids.toString("hex");
  const traceHex = hex.slice(0, 32);
  const spanHex = (k) => hex.slice(32 + 16 * k, 48 + 16 * k);
  const timeBase = 9_000_000_000_000_000_000n + (BigInt(`0x${randomBytes(5).toString("hex")}`) << 12n);
  const offsets = timeOffsets(n);
  const object = buildExport(n, { traceId: traceHex, spanId: spanHex, time: (t) => String(timeBase + BigInt(t)) });
  const bytes = types
    ? Buffer.from(types.request.encode(types.request.fromObject(idsToBytes(object))).finish())
    : Buffer.from(JSON.stringify(object));
  const binary = Boolean(types);
  const find = (marker, expected, what) => {
    const found = offsetsOf(bytes, marker);
    if (found.length !== expected) throw new Error(`export template: ${what} found ${found.length} times, expected ${expected}`);
    return found;
  };
  const idPatches = [{ start: 0, length: 16, at: find(binary ? ids.subarray(0, 16) : Buffer.from(traceHex), n, "the trace id") }];
  for (let k = 0; k < n; k++) {
    const start = 16 + 8 * k;
    const marker = binary ? ids.subarray(start, start + 8) : Buffer.from(spanHex(k));
    idPatches.push({ start, length: 8, at: find(marker, k === 0 ? n : 1, `span id ${k}`) });
  }
  const timePatches = offsets.map((offset, t) => {
    const value = timeBase + BigInt(t);
    const marker = binary ? Buffer.alloc(8) : Buffer.from(String(value));
    if (binary) marker.writeBigUInt64LE(value);
    return { offset, at: find(marker, 1, `time ${t}`) };
  });
  return { bytes, binary, idPatches, timePatches, spanNs: offsets[1] };
}

/** A fresh request from the template: new random ids, times ending now. */
function freshExport(template) {
  const buf = Buffer.allocUnsafe(template.bytes.length);
  template.bytes.copy(buf);
  const ids = randomBytes(16 + 8 * (template.idPatches.length - 1));
  const hex = template.binary ? undefined : ids.toString("hex");
  for (const { start, length, at } of template.idPatches) {
    for (const o of at) {
      if (template.binary) ids.copy(buf, o, start, start + length);
      else buf.write(hex.slice(2 * start, 2 * (start + length)), o, "latin1");
    }
  }
  const start = BigInt(Date.now()) * MS - template.spanNs;
  for (const { offset, at } of template.timePatches) {
    const value = start + offset;
    if (template.binary) buf.writeBigUInt64LE(value, at[0]);
    else buf.write(String(value), at[0], "latin1");
  }
  return buf;
}

/** An OTLP answer: `{}` (JSON) or an empty message (protobuf) is a full success; anything rejected is an error. */
function checkAnswer(types) {
  return (text, bytes) => {
    if (types) {
      if (!bytes?.length) return undefined;
      const answer = types.response.toObject(types.response.decode(bytes), { longs: String });
      return Number(answer.partialSuccess?.rejectedSpans ?? 0) > 0 ? `partial success: ${JSON.stringify(answer)}` : undefined;
    }
    try {
      const body = JSON.parse(text);
      const rejected = Number(body.partialSuccess?.rejectedSpans ?? 0);
      return rejected > 0 ? `${rejected} spans rejected: ${body.partialSuccess.errorMessage}` : undefined;
    } catch {
      return `not JSON: ${text.slice(0, 200)}`;
    }
  };
}

// ---------- database helpers ----------

async function settleAll(database) {
  await query(database, "VACUUM (ANALYZE) spans");
  await query(database, "VACUUM (ANALYZE) evaluations");
  await settle(database); // logs, then a checkpoint
}

/** Polls until no log is pending (the worker has evaluated the backlog). */
async function drainPending(database, timeoutMs = 180_000) {
  const t0 = performance.now();
  for (;;) {
    const [{ n }] = await query(database, "SELECT count(*)::int AS n FROM logs WHERE status = 'pending'");
    if (n === 0) return (performance.now() - t0) / 1000;
    stopIfAborted();
    if (performance.now() - t0 > timeoutMs) throw new Error(`${n} logs still pending after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

// ---------- 1. ingest ----------

async function measureIngest({ opts, database, token, cpuProfDir, types }) {
  const server = startServer({ main: opts.server, database, token, cpuProfDir, env: opts.workerOff ? { TRACIRA_WORKER: "false" } : {} });
  const url = await server.url;
  stopIfAborted();
  const encoding = opts.protobuf ? "protobuf" : "JSON";
  log(
    `server ${url} (pid ${server.pid}, worker ${opts.workerOff ? "off" : "on"}); ${encoding} exports of ${opts.spansPerExport} spans; ` +
      `warm-up ${opts.warmup} s, then ${opts.seconds} s × ${opts.clients} clients`,
  );
  const template = exportTemplate(opts.spansPerExport, types);
  const load = {
    url,
    path: "/v1/traces",
    token,
    body: () => freshExport(template),
    contentType: opts.protobuf ? "application/x-protobuf" : "application/json",
    clients: opts.clients,
    server,
    check: checkAnswer(types),
  };
  const commits0 = await commits(database);
  let warmupOk = 0;
  let warmupRequests = 0;
  if (opts.warmup > 0) {
    const w = await drive({ ...load, seconds: opts.warmup });
    if (w.ok === 0) throw new Error(`warm-up: no export succeeded (${w.firstError})\n${server.output()}`);
    warmupOk = w.ok;
    warmupRequests = w.requests;
  }
  stopIfAborted();
  if (!opts.workerOff) await drainPending(database);
  await settleAll(database);
  const served = await drive({ ...load, seconds: opts.seconds });
  stopIfAborted();
  if (!server.alive()) throw new Error(`the server exited during the run:\n${server.output()}`);
  if (served.errors) log(`server: ${served.errors} bad answers ${JSON.stringify(served.statuses)}; first: ${served.firstError}`);
  const [counts] = await query(
    database,
    `SELECT (SELECT count(*) FROM logs)::int AS logs, (SELECT count(*) FROM logs WHERE status <> 'pending')::int AS evaluated,
       (SELECT count(*) FROM spans)::int AS spans`,
  );
  await server.stop();
  served.dbTransactionsPerExport = Math.round((((await commits(database)) - commits0) / (warmupRequests + served.requests)) * 100) / 100;
  served.spansPerExport = opts.spansPerExport;
  served.spansPerSecond = served.throughput * opts.spansPerExport;
  served.encoding = encoding;
  served.exportBytes = template.bytes.length;
  served.stored = counts;
  served.evaluatedByTheEnd = counts.evaluated;
  const expectedTraces = warmupOk + served.ok;
  const problems = [];
  if (counts.logs !== expectedTraces || counts.spans !== expectedTraces * opts.spansPerExport) {
    problems.push(
      `stored ${counts.logs} traces and ${counts.spans} spans, expected ${expectedTraces} and ${expectedTraces * opts.spansPerExport} (one per successful export)`,
    );
  }
  if (served.errors) problems.push(`ingest: ${served.errors} bad answers ${JSON.stringify(served.statuses)}; first: ${served.firstError}`);
  return { served, problems };
}

// ---------- 2. read ----------

/** TraceQueryService.get's statements, unchanged (backend/src/services/traces/query.ts). */
const READ_HEADER = `SELECT l.id, coalesce(l.trace_name, l.task_name, p.name) AS name, l.trace_status, l.span_count, l.started_at, l.ended_at,
         l.timestamp, l.latency_ms, l.total_input_tokens, l.total_output_tokens, l.total_cost_usd, l.tags, l.metadata
       FROM logs l JOIN projects p ON p.id = l.project_id WHERE l.id = $1 AND l.workspace_id = $2::uuid`;
const READ_SPANS = `SELECT * FROM spans WHERE trace_id = $1 ORDER BY dotted_order, id`;
const READ_EVALUATIONS = `SELECT id, span_id, trace_id, evaluator, evaluator_version, name, score, label, reason, metadata, created_at
         FROM evaluations WHERE trace_id = $1 ORDER BY created_at, position, id`;

async function measureRead({ opts, database, token }) {
  const server = startServer({ main: opts.server, database, token });
  const url = await server.url;
  stopIfAborted();
  const n = opts.readSpans;
  for (const rule of READ_RULES) {
    const res = await requestJson(new URL("/api/rules", url), { method: "POST", token, body: rule });
    if (res.status !== 201) throw new Error(`POST /api/rules ${rule.type}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  // The ingest backlog (if any) is evaluated first, so the reads run on a quiet server.
  const backlogSeconds = await drainPending(database);
  const ids = randomBytes(16 + 8 * n).toString("hex");
  const traceId = ids.slice(0, 32);
  const startNs = BigInt(Date.now()) * MS - BigInt(n) * 10n * MS;
  const offsets = timeOffsets(n);
  const body = buildExport(n, { traceId, spanId: (k) => ids.slice(32 + 16 * k, 48 + 16 * k), time: (t) => String(startNs + offsets[t]) });
  const exported = await requestJson(new URL("/v1/traces", url), { method: "POST", token, body });
  if (exported.status !== 200 || Object.keys(exported.body ?? {}).length) {
    throw new Error(`POST /v1/traces of the ${n}-span trace: ${exported.status} ${JSON.stringify(exported.body).slice(0, 500)}`);
  }
  await drainPending(database);
  await settleAll(database);
  const [stored] = await query(
    database,
    `SELECT l.workspace_id, l.status::text AS status, l.span_count, (SELECT count(*)::int FROM evaluations e WHERE e.trace_id = l.id) AS evaluations
     FROM logs l WHERE l.id = $1`,
    [traceId],
  );
  log(
    `read: trace ${traceId} (${stored.span_count} spans, ${stored.evaluations} evaluations, ${stored.status}); ${opts.readWarmup} + ${opts.reads} GETs`,
  );

  const problems = [];
  if (stored.span_count !== n) problems.push(`the read trace has ${stored.span_count} spans, expected ${n}`);
  const traceUrl = new URL(`/api/traces/${traceId}`, url).toString();
  await timedRequests(traceUrl, token, opts.readWarmup);
  const gets = await timedRequests(traceUrl, token, opts.reads);
  if (!server.alive()) throw new Error(`the server exited during the reads:\n${server.output()}`);
  const bad = gets.filter((g) => g.status !== 200 || g.body.length !== gets[0].body.length);
  if (bad.length) problems.push(`GET /api/traces/:id: ${bad.length} answers not 200 or of another size (first: ${bad[0].status})`);
  const detail = JSON.parse(gets[0].body.toString());
  if (detail.spans?.length !== n) problems.push(`GET /api/traces/:id answered ${detail.spans?.length} spans, expected ${n}`);
  const http_ = { ...latencySummary(gets.map((g) => g.ms)), responseBytes: gets[0].body.length };

  // The same reads straight through pg: header, then spans and evaluations at once (the service's Promise.all).
  const pool = new pg.Pool({ connectionString: dbUrl(database), max: 2 });
  let sqlRows = 0;
  const sqlOnce = async () => {
    const start = performance.now();
    const header = await pool.query(READ_HEADER, [traceId, stored.workspace_id]);
    const [spans, evaluations] = await Promise.all([pool.query(READ_SPANS, [traceId]), pool.query(READ_EVALUATIONS, [traceId])]);
    sqlRows = header.rows.length + spans.rows.length + evaluations.rows.length;
    return performance.now() - start;
  };
  const sqlMs = [];
  try {
    for (let i = 0; i < opts.readWarmup; i++) await sqlOnce();
    for (let i = 0; i < opts.reads; i++) {
      stopIfAborted();
      sqlMs.push(await sqlOnce());
    }
  } finally {
    await pool.end();
  }
  const sql = { ...latencySummary(sqlMs), rows: sqlRows };
  await server.stop();
  return { traceId, spans: stored.span_count, evaluations: stored.evaluations, backlogSeconds, http: http_, sql, problems };
}

// ---------- 3. the baseline ----------

/** The server's own statements (from the build the default server runs), so the baseline cannot drift from them. */
const backend = createRequire(path.join(ROOT, "backend/package.json"));
const { REFRESH_ROLLUPS } = backend("./dist/services/traces/spans.js");
const { SETTLE, INPUT_TEXT_CHARS } = backend("./dist/services/traces/parts.js");
const { AWAITING_ROOT } = backend("./dist/evaluation/store.js");
const { LIMITS } = backend("@tracira/shared");
const OUTPUT_CHARS = LIMITS.outputChars;

const SPAN_COLUMNS = [
  "id",
  "trace_id",
  "workspace_id",
  "parent_span_id",
  "kind",
  "name",
  "status",
  "started_at",
  "ended_at",
  "provider",
  "model",
  "input_tokens",
  "output_tokens",
  "cached_input_tokens",
  "cost_usd",
  "input",
  "output",
  "error",
  "attributes",
  "dotted_order",
  "event_type",
  "decision_kind",
];

/** pgbench variables the script may use; any other `:name` (e.g. inside a literal) would break it. */
const PGBENCH_VARIABLES = new Set(["t1", "t2", "ws", "project", "awaiting_root"]);

/**
 * One transaction storing one trace of `spans` (rows the server stored, in tree order) under fresh ids: the
 * trace id from two random 62-bit numbers (32 hex), each span id from the trace's numbers and its position
 * (16 hex of an md5), the dotted order rebuilt from them, times from now() with the stored offsets.
 */
function baselineScript(logRow, spans) {
  const lit = (v) => (v === null || v === undefined ? "NULL" : `'${String(v).replaceAll("'", "''")}'`);
  const json = (v) => (v === null || v === undefined ? "NULL::jsonb" : `${lit(v)}::jsonb`);
  const num = (v) => (v === null || v === undefined ? "NULL" : String(v));
  const trace = `(lpad(to_hex(:t1::bigint), 16, '0') || lpad(to_hex(:t2::bigint), 16, '0'))`;
  const position = new Map(spans.map((s, i) => [s.id, i]));
  const spanId = (id) => `substr(md5(:t1::text || '-' || :t2::text || '-${position.get(id)}'), 1, 16)`;
  const t0 = Math.min(...spans.map((s) => new Date(s.started_at).getTime()));
  const at = (ts) => (ts === null ? "NULL::timestamptz" : `now() + ${new Date(ts).getTime() - t0} * interval '1 millisecond'`);
  // "<ms>-<id>" segments joined by dots, each id one of this trace's spans.
  const dotted = (order) =>
    order
      .split(".")
      .map((segment) => {
        const dash = segment.indexOf("-");
        return `'${segment.slice(0, dash + 1)}' || ${spanId(segment.slice(dash + 1))}`;
      })
      .join(" || '.' || ");
  const rows = spans.map(
    (s) =>
      `(${[
        spanId(s.id),
        trace,
        ":ws::uuid",
        s.parent_span_id === null ? "NULL" : spanId(s.parent_span_id),
        lit(s.kind),
        lit(s.name),
        lit(s.status),
        at(s.started_at),
        at(s.ended_at),
        lit(s.provider),
        lit(s.model),
        num(s.input_tokens),
        num(s.output_tokens),
        num(s.cached_input_tokens),
        num(s.cost_usd),
        json(s.input),
        json(s.output),
        json(s.error),
        json(s.attributes),
        dotted(s.dotted_order),
        lit(s.event_type),
        lit(s.decision_kind),
      ].join(", ")})`,
  );
  // The server's INSERT_LOGS columns with the values storeTrace binds for a new OTLP trace (project known,
  // so no CTE), and the trace fields writeTrace sets right after (trace_name, agent_id, …) in the same row.
  const insertLog = `INSERT INTO logs (
    id, workspace_id, project_id, task_name, timestamp, session_id, subject_id, actor_id, model,
    latency_ms, cost_usd, confidence, input, input_text, output, metadata, tags, attachments,
    callback_url, callback_events, eval_lease_owner, eval_lease_until, eval_attempts, started_at,
    trace_name, agent_id, runner_id, thread_id, run_id
  ) VALUES (
    ${trace}, :ws::uuid, :project::uuid, ${lit(logRow.task_name)}, now(), ${lit(logRow.session_id)}, NULL, ${lit(logRow.actor_id)}, NULL,
    NULL, NULL, NULL, NULL::jsonb, NULL, '', NULL::jsonb, '{}'::text[], NULL::jsonb,
    NULL, 'all'::callback_events, NULL, NULL, 0, now(),
    ${lit(spans[0].name)}, ${lit(logRow.agent_id)}, ${lit(logRow.runner_id)}, ${lit(logRow.thread_id)}, ${lit(logRow.run_id)}
  ) ON CONFLICT (id) DO NOTHING;`;
  const insertSpans = `INSERT INTO spans (${SPAN_COLUMNS.join(", ")}) VALUES ${rows.join(", ")} ON CONFLICT (trace_id, id) DO NOTHING;`;
  const bind = (sql, params) => `${sql.replace(/\$(\d+)/g, (_, n) => params[Number(n) - 1])};`;
  const script = [
    "\\set t1 random(0, 4611686018427387903)",
    "\\set t2 random(0, 4611686018427387903)",
    "BEGIN;",
    insertLog,
    insertSpans,
    // The trace's fields went in with the row above; the rollup statement's field parameters stay null.
    bind(REFRESH_ROLLUPS, [trace, "NULL", "NULL", "NULL", "NULL", "NULL"]),
    bind(SETTLE, [trace, ":awaiting_root", OUTPUT_CHARS, INPUT_TEXT_CHARS]),
    "END;",
  ]
    .map(oneLine)
    .join("\n");
  // pgbench reads every `:name` as a variable, also inside a literal: refuse any it does not define.
  for (const [, name] of script.matchAll(/(?<!:):([A-Za-z0-9_]+)/g)) {
    if (!PGBENCH_VARIABLES.has(name)) throw new Error(`the pgbench script would read ":${name}" as a variable (a stored value holds it)`);
  }
  return `${script}\n`;
}

async function measureBaseline({ opts, database, tmp }) {
  const [logRow] = await query(
    database,
    `SELECT id, workspace_id, project_id, task_name, session_id, actor_id, agent_id, runner_id, thread_id, run_id
     FROM logs WHERE span_count = $1 ORDER BY created_at LIMIT 1`,
    [opts.spansPerExport],
  );
  if (!logRow) throw new Error(`no stored trace of ${opts.spansPerExport} spans to copy into the baseline`);
  const spans = await query(
    database,
    `SELECT id, parent_span_id, kind, name, status, started_at, ended_at, provider, model, input_tokens, output_tokens,
       cached_input_tokens, cost_usd, input::text AS input, output::text AS output, error::text AS error,
       attributes::text AS attributes, dotted_order, event_type, decision_kind
     FROM spans WHERE trace_id = $1 ORDER BY dotted_order, id`,
    [logRow.id],
  );
  const script = baselineScript(logRow, spans);
  await settleAll(database);
  const [before] = await query(
    database,
    "SELECT (SELECT count(*) FROM logs)::int AS logs, (SELECT count(*) FROM spans)::int AS spans, clock_timestamp() AS at",
  );
  log(
    `pgbench: ${opts.clients} clients, ${opts.seconds} s, ${opts.spansPerExport} spans per transaction (tables hold ${before.logs} logs, ${before.spans} spans)`,
  );
  const bench = await pgbench({
    database,
    tmp,
    name: "insert-trace",
    script,
    clients: opts.clients,
    seconds: opts.seconds,
    defines: { ws: logRow.workspace_id, project: logRow.project_id, awaiting_root: AWAITING_ROOT },
  });
  // Each transaction stored one whole trace: a log with its spans, and the same rollups and settled fields
  // (counts, tokens, output, model, name, latency) as the server's trace it copies. (A transaction cut by
  // the end of -T may be missing from pgbench's count, hence the tolerance.)
  const [after] = await query(
    database,
    `SELECT (SELECT count(*) FROM logs)::int - $1 AS logs, (SELECT count(*) FROM spans)::int - $2 AS spans,
       (SELECT count(*) FROM logs l JOIN logs t ON t.id = $3
        WHERE l.created_at >= $4 AND (l.span_count, l.llm_call_count, l.tool_call_count, l.total_input_tokens, l.total_output_tokens,
          l.trace_status, l.output, l.model, l.trace_name, l.latency_ms, l.agent_id)
          IS NOT DISTINCT FROM (t.span_count, t.llm_call_count, t.tool_call_count, t.total_input_tokens, t.total_output_tokens,
          t.trace_status, t.output, t.model, t.trace_name, t.latency_ms, t.agent_id))::int AS settled`,
    [before.logs, before.spans, logRow.id, before.at],
  );
  const problems = [];
  if (bench.failed) problems.push(`pgbench: ${bench.failed} failed transactions`);
  if (
    Math.abs(after.logs - bench.transactions) > opts.clients ||
    after.spans !== after.logs * opts.spansPerExport ||
    after.settled !== after.logs
  ) {
    problems.push(
      `pgbench stored ${after.logs} traces (${after.settled} with rollups and settled fields) and ${after.spans} spans in ${bench.transactions} transactions`,
    );
  }
  return { ...bench, spansPerSecond: bench.tps * opts.spansPerExport, stored: after, scriptBytes: script.length, problems };
}

// ---------- report ----------

function printIngest({ opts, served, bench }) {
  const ratio = served.spansPerSecond / bench.spansPerSecond;
  console.log("");
  console.log(
    `1. OTLP ingest: ${opts.clients} clients, ${opts.seconds} s, one trace of ${opts.spansPerExport} spans per export ` +
      `(${served.encoding}, ${served.exportBytes} bytes), server worker ${opts.workerOff ? "off" : "on"}`,
  );
  console.log("                          exports/s    spans/s   p50 ms   p99 ms   max ms   errors   cores used");
  const row = (label, perSecond, spans, r, errors) =>
    console.log(
      `${label.padEnd(24)}${fmt(perSecond).padStart(11)}${fmt(spans, 0).padStart(11)}${fmt(r.p50Ms, 2).padStart(9)}${fmt(r.p99Ms, 2).padStart(9)}${fmt(r.maxMs).padStart(9)}${String(errors).padStart(9)}   ${formatCores(r.cores)}`,
    );
  row("server POST /v1/traces", served.throughput, served.spansPerSecond, served, served.errors);
  row("pgbench same rows (tps)", bench.tps, bench.spansPerSecond, bench, bench.failed || 0);
  console.log(
    `server: ${served.dbTransactionsPerExport} database transactions per export; ` +
      `${served.evaluatedByTheEnd} of ${served.stored.logs} traces evaluated by the end of the run`,
  );
  console.log(
    `ratio server/pgbench spans/s = ${ratio.toFixed(3)}  (goal >= ${GOALS.ingestRatio}: ${ratio >= GOALS.ingestRatio ? "met" : "NOT met"})`,
  );
  return ratio;
}

function printRead({ opts, read }) {
  console.log("");
  console.log(
    `2. GET /api/traces/:id of a ${read.spans}-span trace with ${read.evaluations} evaluations ` +
      `(${(read.http.responseBytes / 1024).toFixed(0)} KB of JSON): ${opts.reads} sequential requests after ${opts.readWarmup}`,
  );
  console.log("                                      p50 ms   p95 ms   p99 ms   max ms");
  const row = (label, r) =>
    console.log(
      `${label.padEnd(36)}${fmt(r.p50Ms, 2).padStart(9)}${fmt(r.p95Ms, 2).padStart(9)}${fmt(r.p99Ms, 2).padStart(9)}${fmt(r.maxMs, 2).padStart(9)}`,
    );
  row("server HTTP", read.http);
  row(`SQL via pg (3 reads, ${read.sql.rows} rows)`, read.sql);
  console.log(`ratio HTTP/SQL: p50 ${fmt(read.http.p50Ms / read.sql.p50Ms, 2)}, p95 ${fmt(read.http.p95Ms / read.sql.p95Ms, 2)}`);
  console.log(
    `goal p95 <= ${GOALS.readP95Ms} ms: ${read.http.p95Ms <= GOALS.readP95Ms ? "met" : "NOT met"} (${fmt(read.http.p95Ms, 2)} ms)`,
  );
}

function printQueries({ opts, queries }) {
  const { search, session, exported, seeded } = queries;
  const row = (label, r) =>
    console.log(
      `${label.padEnd(44)}${fmt(r.p50Ms, 2).padStart(9)}${fmt(r.p95Ms, 2).padStart(9)}${fmt(r.p99Ms, 2).padStart(9)}${fmt(r.maxMs, 2).padStart(9)}`,
    );
  const goal = (what, value, limit, unit) =>
    console.log(`goal ${what} <= ${limit} ${unit}: ${value <= limit ? "met" : "NOT met"} (${fmt(value, 2)} ${unit})`);
  console.log("");
  console.log(`3. Queries over ${seeded.logs} traces and ${seeded.spans} spans (seeded by SQL), ${opts.reads} sequential requests each`);
  console.log("                                               p50 ms   p95 ms   p99 ms   max ms");
  row(`POST /api/traces/search (3 filters, ${search.returned})`, search.http);
  row("  the same search by hand in SQL", search.byHand);
  row("  first page by index alone (floor)", search.floor);
  console.log(
    `ratio server/by hand p95 ${fmt(search.http.p95Ms / search.byHand.p95Ms, 2)}, server/floor p95 ${fmt(search.http.p95Ms / search.floor.p95Ms, 2)}`,
  );
  goal("search p95", search.http.p95Ms, QUERY_GOALS.searchP95Ms, "ms");
  row(`GET …/sessions/:id/metrics (${session.eventCount} events)`, session.http);
  row("  the session's events in one SQL read", session.events);
  console.log(`ratio server/SQL read p95 ${fmt(session.http.p95Ms / session.events.p95Ms, 2)}`);
  goal("session metrics p95", session.http.p95Ms, QUERY_GOALS.sessionMetricsP95Ms, "ms");
  console.log(
    `GET …/sessions/export?format=csv: ${exported.events} events, ${fmt(exported.megabytes)} MB in ${fmt(exported.seconds, 2)} s = ` +
      `${fmt(exported.rowsPerSecond, 0)} rows/s; Postgres COPY of the same rows ${fmt(exported.copy.rowsPerSecond, 0)} rows/s ` +
      `(ratio ${fmt(exported.rowsPerSecond / exported.copy.rowsPerSecond, 2)})`,
  );
  console.log(
    `server memory: idle ${fmt(exported.idleMb)} MB, peak ${fmt(exported.peakMb)} MB during the export (+${fmt(exported.overIdleMb)} MB)`,
  );
  goal("export memory over idle", exported.overIdleMb, QUERY_GOALS.exportPeakMb, "MB");
}

// ---------- main ----------

async function main(opts, { stamp, database, tmp, postgres }) {
  if (opts.spansPerExport > MAX_SPANS || opts.readSpans > MAX_SPANS)
    throw new Error(`at most ${MAX_SPANS} spans per export (LIMITS.spansPerRequest)`);
  const token = `wh-${randomBytes(32).toString("base64url")}`;
  const cpuProfDir = opts.cpuProf ? path.join(RESULTS_DIR, `profile-${stamp}`) : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const types = opts.protobuf ? protoTypes() : undefined;
  const problems = [];
  const expect = (list) => list.forEach((p) => (problems.push(p), log(`ERROR ${p}`)));
  log(`database ${database} (Postgres ${postgres.version}, synchronous_commit=${postgres.sync}, max_connections=${postgres.maxconn})`);

  const phases = new Set(opts.only.split(",").map((p) => p.trim()));
  const unknown = [...phases].filter((p) => !PHASES.includes(p));
  if (unknown.length) throw new Error(`--only: unknown phase ${unknown.join(", ")} (phases: ${PHASES.join(", ")})`);
  const results = {};

  if (phases.has("ingest")) {
    const { served, problems: ingestProblems } = await measureIngest({ opts, database, token, cpuProfDir, types });
    expect(ingestProblems);
    if (cpuProfDir) log(`server CPU profile in ${path.relative(ROOT, cpuProfDir)}`);
    results.server = served;
    stopIfAborted();
  }
  if (phases.has("read")) {
    results.read = await measureRead({ opts, database, token });
    expect(results.read.problems);
    stopIfAborted();
  }
  if (phases.has("ingest")) {
    results.pgbench = await measureBaseline({ opts, database, tmp });
    expect(results.pgbench.problems);
    stopIfAborted();
  }
  if (phases.has("queries")) {
    results.queries = await measureQueries({
      opts,
      database,
      token,
      startServer: () => startServer({ main: opts.server, database, token }),
    });
    expect(results.queries.problems);
  }

  if (results.server) results.ratio = printIngest({ opts, served: results.server, bench: results.pgbench });
  if (results.read) printRead({ opts, read: results.read });
  if (results.queries) printQueries({ opts, queries: results.queries });
  if (opts.json) {
    const file = writeResults("spans", stamp, { options: opts, goals: { ...GOALS, ...QUERY_GOALS }, ...results, problems }, postgres);
    log(`results in ${path.relative(ROOT, file)}`);
  }
  if (problems.length) throw new Error(`${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
}

const opts = parseArgs(process.argv.slice(2), OPTIONS, USAGE);
runBench((session) => main(opts, session));
