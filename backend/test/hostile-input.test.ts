/**
 * Acceptance test for hostile input: hundreds of malformed or hostile requests (wrong types, missing
 * fields, over-long texts, broken JSON, bad dates, huge arrays, unknown sort keys, bad tokens, unknown
 * routes) each get a 4xx `{error, code, fields?}` and never a 5xx, and none of them writes anything.
 *
 * The cases are tables: `{ name, method, path, body | raw, headers?, auth?, expectStatus?, field? }`.
 * `expectStatus` defaults to 400 (`invalid_request`, which must carry `fields`); `field` is the key
 * (or key prefix, `attachments` matches `attachments.0`) that `fields` must name.
 */
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { ERROR_CODES, ERROR_STATUS, LIMITS, type ErrorCode } from "@tracira/shared";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { startTestServer, waitForFinal, type TestServer } from "./helpers/server";

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "PROPFIND";

interface Case {
  name: string;
  method: Method;
  /** `{log}`, `{alpha}`, `{beta}`, `{foreign}`, `{rule}`, `{foreignRule}` are replaced by ids seeded before the batch (in bodies too). */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (a string, bytes, or a stream made on demand). */
  raw?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
  headers?: Record<string, string>;
  /** The Authorization header to send; `null` sends none; default: a valid workspace token. */
  auth?: string | null;
  expectStatus?: number;
  /** The key `fields` must name (exactly, or as a prefix before `.`). */
  field?: string;
}

const STATUS_CODE: Record<number, ErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

const x = (n: number, ch = "x") => ch.repeat(n);
const MIB = 1024 * 1024;
const MAX_BODY = 2 * MIB; // TRACIRA_MAX_BODY_BYTES default
const UUID_NOBODY = "00000000-0000-4000-8000-000000000000";
/** The caller-chosen id of the one log seeded in the main workspace. */
const SEEDED_LOG_ID = "hostile-seeded-log";
/** A JSON text nested `depth` objects deep. */
const deepObject = (depth: number, leaf = "1") => `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

// A valid log: each case breaks exactly one thing in it.
const LOG = { project: "hostile-project", output: "A perfectly normal AI answer." };
const NOT_TEXT: [string, unknown][] = [
  ["a number", 42],
  ["zero", 0],
  ["true", true],
  ["false", false],
  ["an object", { text: "hi" }],
  ["an array", ["hi"]],
  ["null", null],
];

/** POST /api/logs with one field replaced. */
const logWith = (field: string, value: unknown, name?: string, extra: Partial<Case> = {}): Case => ({
  name: `${field} ${name ?? show(value)}`,
  method: "POST",
  path: "/api/logs",
  body: { ...LOG, [field]: value },
  field,
  ...extra,
});
/** POST /api/logs with a raw text body. */
const logRaw = (name: string, raw: Case["raw"], extra: Partial<Case> = {}): Case => ({
  name,
  method: "POST",
  path: "/api/logs",
  raw,
  field: "body",
  ...extra,
});

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 30)}… (${text.length} chars)` : text;
}

// ---------------------------------------------------------------- POST /api/logs

const ingestCases: Case[] = [
  // Missing required fields.
  { name: "empty object", method: "POST", path: "/api/logs", body: {}, field: "project" },
  { name: "no project", method: "POST", path: "/api/logs", body: { output: "x" }, field: "project" },
  { name: "no output", method: "POST", path: "/api/logs", body: { project: "p" }, field: "output" },
  { name: "only unknown fields", method: "POST", path: "/api/logs", body: { foo: 1, bar: "baz" }, field: "project" },

  // Wrong types where text is expected.
  ...NOT_TEXT.map(([label, value]) => logWith("project", value, `as ${label}`)),
  // Optional fields: null means "not given" (no-code tools send it for unmapped fields), so not here.
  ...["task", "model", "inputText"].flatMap((field) =>
    NOT_TEXT.filter(([, v]) => v !== null).map(([label, value]) => logWith(field, value, `as ${label}`)),
  ),
  logWith("project", "", "empty"),
  logWith("project", "   ", "only spaces"),
  logWith("project", "\t\n \r", "only whitespace"),
  logWith("project", x(LIMITS.projectNameChars + 1), "over 200 chars"),
  logWith("project", x(100_000), "of 100,000 chars"),
  logWith("task", x(LIMITS.taskNameChars + 1), "over 200 chars"),
  logWith("model", x(LIMITS.shortFieldChars + 1), "over 200 chars"),
  logWith("inputText", x(LIMITS.inputChars + 1), "over 200,000 chars"),

  // output.
  ...NOT_TEXT.filter(([, v]) => typeof v !== "object" || v === null).map(([label, value]) => logWith("output", value, `as ${label}`)),
  logWith("output", x(LIMITS.outputChars + 1), "of 50,001 chars"),
  logWith("output", x(1_500_000), "of 1,500,000 chars"),
  logWith("output", { text: x(LIMITS.outputChars) }, "as an object whose JSON is over 50,000 chars"),
  logWith("output", [x(30_000), x(30_000)], "as an array whose JSON is over 50,000 chars"),
  logWith("output", { nested: { deeper: [x(25_000), x(25_000)] } }, "as a nested object over 50,000 chars"),

  // Numbers.
  ...(
    [
      ["latencyMs", [-1, -0.5, "fast", true, {}, [5]]],
      ["costUsd", [-0.01, -1000, "free", false, [1]]],
      ["confidence", [-0.1, 1.01, 2, 100, -1e9, "high", true, {}]],
    ] as [string, unknown[]][]
  ).flatMap(([field, values]) => values.map((value) => logWith(field, value))),
  logRaw("latencyMs 1e400 (Infinity)", '{"project":"p","output":"o","latencyMs":1e400}', { field: "latencyMs" }),
  logRaw("latencyMs -1e400 (-Infinity)", '{"project":"p","output":"o","latencyMs":-1e400}', { field: "latencyMs" }),
  logRaw("costUsd 1e999", '{"project":"p","output":"o","costUsd":1e999}', { field: "costUsd" }),
  logRaw("confidence 1e400", '{"project":"p","output":"o","confidence":1e400}', { field: "confidence" }),

  // timestamp.
  ...[
    "garbage",
    "2024-13-45",
    "yesterday",
    "now",
    "   ",
    "2024-02-30T10:00:00Z",
    "2023-02-29",
    "2024-04-31",
    "2024-00-10T00:00:00Z",
    "2024-11-15T25:00:00Z",
    "2024-11-15T10:60:00Z",
    "2024-11-15T10:30:61Z",
    "0000-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "10000-01-01T00:00:00Z",
    "2024-11-15T10:30:00Zjunk",
    "2024-11-15T10:30:00+99:99",
    "15/11/2024",
    "Nov 15 2024",
    "1731666600000",
    1731666600000,
    0,
    true,
    {},
    [],
  ].map((value) => logWith("timestamp", value)),

  // callbackUrl.
  ...[
    "javascript:alert(1)",
    "ftp://example.com/hook",
    "/relative/path",
    "callback",
    "example.com/cb",
    "//example.com/cb",
    "http://",
    "https://",
    "file:///etc/passwd",
    "data:text/plain,hi",
    "mailto:ops@example.com",
    `https://${x(LIMITS.urlChars)}.example.com/`,
    42,
    true,
    { url: "https://example.com" },
    ["https://example.com"],
  ].map((value) => logWith("callbackUrl", value)),

  // callbackEvents.
  ...["everything", "flagged", 1, true, ["all"]].map((value) => logWith("callbackEvents", value)),

  // tags.
  ...[
    42,
    true,
    { a: "b" },
    [["nested"]],
    [[["deeper"]]],
    [1, 2],
    [{}],
    [null],
    [true],
    Array.from({ length: LIMITS.tags + 1 }, (_, i) => `tag-${i}`),
    Array.from({ length: 100_000 }, (_, i) => `t${i}`),
    [x(LIMITS.tagChars + 1)],
    [""],
    ["   "],
    x(6_000),
    Array.from({ length: 60 }, (_, i) => `t${i}`).join(","),
  ].map((value) => logWith("tags", value)),

  // metadata.
  ...[[], [1, 2], "key=value", 42, true, { big: x(40_000) }, { many: Array.from({ length: 10_000 }, (_, i) => i) }].map((value) =>
    logWith("metadata", value),
  ),

  // input.
  ...[
    42,
    true,
    {},
    { type: "text", text: "not in an array" },
    [42],
    ["plain text in an array"],
    [null],
    [[{ type: "text", text: "nested" }]],
    [{ type: "video", url: "https://example.com/v.mp4" }],
    [{ text: "no type" }],
    [{ type: "text", text: 5 }],
    [{ type: "image_url", image_url: 5 }],
    [{ type: "text", text: x(LIMITS.inputChars + 1) }],
    Array.from({ length: LIMITS.inputParts + 1 }, () => ({ type: "text", text: "x" })),
    x(LIMITS.inputChars + 1),
  ].map((value) => logWith("input", value)),

  // attachments.
  ...[
    "https://example.com/a.png",
    42,
    { url: "https://example.com/a.png" },
    [42],
    ["https://example.com/a.png"],
    [{}],
    [null],
    [{ url: "ftp://example.com/a.png" }],
    [{ url: "javascript:alert(1)" }],
    [{ url: 5 }],
    [{ upload: "aGk=" }],
    [{ upload: "", filename: "a.txt", contentType: "text/plain" }],
    [{ upload: 5, filename: "a.txt", contentType: "text/plain" }],
    [{ upload: "aGk=", filename: "", contentType: "text/plain" }],
    [{ upload: "aGk=", filename: "a.txt", contentType: 7 }],
    Array.from({ length: 11 }, () => ({ url: "https://example.com/a.png" })),
  ].map((value) => logWith("attachments", value)),

  // id.
  ...[
    "has space",
    "a/b",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "id?x=1",
    "ümlaut",
    x(LIMITS.shortFieldChars + 1),
    "   ",
    1.5,
    true,
    {},
    [],
  ].map((value) => logWith("id", value)),
  logWith("id", SEEDED_LOG_ID, "taken by another workspace", { expectStatus: 409 }),

  // sync.
  ...["maybe", "yes", 1, 0, {}, []].map((value) => logWith("sync", value)),

  // Context ids and their aliases.
  ...(
    [
      ["sessionId", [{}, [], true, x(201)]],
      ["conversationId", [{ id: 1 }]],
      ["threadId", [["t"]]],
      ["chatId", [false]],
      ["subjectId", [{ a: 1 }]],
      ["customerId", [[1]]],
      ["recordId", [true]],
      ["ticketId", [x(201)]],
      ["accountId", [{}]],
      ["actorId", [[]]],
      ["userId", [{}]],
      ["endUserId", [true]],
      ["agentId", [x(201)]],
    ] as [string, unknown[]][]
  ).flatMap(([field, values]) => values.map((value) => logWith(field, value))),
  logRaw("sessionId 1e400", '{"project":"p","output":"o","sessionId":1e400}', { field: "sessionId" }),

  // NUL characters (Postgres cannot store them in text or jsonb).
  logWith("project", "a\u0000b", "with a NUL character"),
  logWith("output", "answer\u0000", "with a NUL character"),
  logWith("task", "\u0000", "a NUL character"),
  logWith("model", "gpt\u0000", "with a NUL character"),
  logWith("inputText", "prompt\u0000", "with a NUL character"),
  logWith("output", "half an emoji \ud83d", "with a lone high surrogate"),
  logWith("metadata", { note: "\udc00 trailing" }, "with a lone low surrogate", { field: "metadata.note" }),
  logWith("input", [{ type: "text", text: "x\ud800y" }], "with a lone surrogate in a part", { field: "input.0.text" }),
  logWith("sessionId", "s\u0000", "with a NUL character"),
  logWith("tags", ["ok", "t\u0000"], "with a NUL character"),
  logWith("metadata", { key: "v\u0000" }, "value with a NUL character"),
  logWith("metadata", { "k\u0000": "v" }, "key with a NUL character"),
  logWith("input", [{ type: "text", text: "\u0000" }], "part with a NUL character"),
  logWith("callbackUrl", "https://example.com/\u0000", "with a NUL character"),
  logWith("output", { answer: "a\u0000" }, "object with a NUL character"),

  // Nesting deeper than any real payload (stack depth in JSON.stringify and in Postgres jsonb).
  logRaw("metadata nested 20,000 deep", `{"project":"p","output":"o","metadata":${deepObject(20_000)}}`, { field: "metadata" }),
  logRaw("output nested 20,000 deep", `{"project":"p","output":${deepObject(20_000)}}`, { field: "output" }),
  logRaw("input part nested 20,000 deep", `{"project":"p","output":"o","input":[{"type":"text","extra":${deepObject(20_000)}}]}`, {
    field: "input",
  }),
  logRaw("metadata nested 1,000 deep", `{"project":"p","output":"o","metadata":${deepObject(1_000)}}`, { field: "metadata" }),
  logRaw("whole body: an array nested 500,000 deep", deepArray(500_000), { field: undefined }),
  logRaw("whole body: an object nested 200,000 deep", deepObject(200_000), { field: undefined }),

  // Broken JSON and other bodies.
  logRaw("truncated object", "{"),
  logRaw("truncated after a value", '{"project":"p","output":"o"'),
  logRaw("trailing comma", '{"project":"p","output":"o",}'),
  logRaw("single quotes", "{'project':'p','output':'o'}"),
  logRaw("unquoted keys", '{project:"p",output:"o"}'),
  logRaw("NaN value", '{"project":"p","output":NaN}'),
  logRaw("Infinity value", '{"project":"p","output":Infinity}'),
  logRaw("undefined value", '{"project":"p","output":undefined}'),
  logRaw("a comment", '{"project":"p",/* hi */"output":"o"}'),
  logRaw("missing comma", '{"project":"p" "output":"o"}'),
  logRaw("extra closing brace", '{"project":"p","output":"o"}}'),
  logRaw("two objects", '{"project":"p","output":"o"}{"project":"p","output":"o"}'),
  logRaw("invalid escape", '{"project":"p","output":"\\x41"}'),
  logRaw("raw newline inside a string", '{"project":"p","output":"line\nbreak"}'),
  logRaw("unterminated string", '{"project":"p","output":"o}'),
  logRaw("BOM then garbage", "\uFEFFgarbage{"),
  logRaw("two BOMs", '\uFEFF\uFEFF{"project":"p","output":"o"}'),
  logRaw("binary bytes", new Uint8Array([0x00, 0xff, 0xfe, 0x80, 0x81, 0x7b, 0x22])),
  logRaw("4 KB of random bytes", new Uint8Array(randomBytes(4096).map((b) => (b === 0x7b ? 0 : b)))),
  // Invalid UTF-8 decodes to U+FFFD (fine text); the wrong output type must still be reported.
  logRaw("invalid UTF-8 inside a string", new Uint8Array([...Buffer.from('{"project":"'), 0xc3, 0x28, ...Buffer.from('","output":5}')]), {
    field: "output",
  }),
  logRaw("the word undefined", "undefined"),
  logRaw("empty body", "", { field: "body" }),
  logRaw("only whitespace", "   \n\t ", { field: "body" }),
  logRaw("JSON null", "null"),
  logRaw("JSON number", "42"),
  logRaw("JSON true", "true"),
  logRaw("JSON string", '"Here is my AI-generated response."'),
  logRaw("JSON empty array", "[]"),
  logRaw("JSON array of a valid log", JSON.stringify([LOG])),
  logRaw("duplicate key, last one wrong", '{"project":"p","output":"o","project":5}', { field: "project" }),
  logRaw("form-encoded body", "project=p&output=o", { headers: { "content-type": "application/x-www-form-urlencoded" } }),
  logRaw("XML body", "<log><project>p</project></log>", { headers: { "content-type": "application/xml" } }),
  logRaw("multipart body", '--b\r\nContent-Disposition: form-data; name="project"\r\n\r\np\r\n--b--', {
    headers: { "content-type": "multipart/form-data; boundary=b" },
  }),
  logRaw("gzip header on a plain body", JSON.stringify(LOG), { headers: { "content-encoding": "gzip" } }),
  logRaw("deflate header on garbage", "not deflated", { headers: { "content-encoding": "deflate" } }),
  logRaw("unknown content encoding", JSON.stringify(LOG), {
    headers: { "content-encoding": "compress" },
    expectStatus: 415,
    field: undefined,
  }),
  logRaw("latin1 charset", JSON.stringify(LOG), {
    headers: { "content-type": "application/json; charset=latin1" },
    expectStatus: 415,
    field: undefined,
  }),

  // Bodies over TRACIRA_MAX_BODY_BYTES.
  logRaw("body over 2 MiB", JSON.stringify({ ...LOG, output: x(MAX_BODY) }), { expectStatus: 413, field: undefined }),
  logRaw("body of 5 MiB of garbage", x(5 * MIB, "z"), { expectStatus: 413, field: undefined }),
  logRaw(
    "chunked body over 2 MiB (no Content-Length)",
    () => {
      let sent = 0;
      const chunk = new TextEncoder().encode(x(64 * 1024));
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 3 * MIB) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
    },
    { expectStatus: 413, field: undefined },
  ),
  logRaw("gzip bomb (50 MB of spaces)", new Uint8Array(gzipSync(Buffer.alloc(50 * MIB, 0x20))), {
    headers: { "content-encoding": "gzip" },
    expectStatus: 413,
    field: undefined,
  }),

  // Prototype pollution: must neither crash nor smuggle fields in.
  logRaw("__proto__ carrying project", '{"__proto__":{"project":"p","output":"o"}}', { field: "project" }),
  logRaw("constructor.prototype carrying project", '{"constructor":{"prototype":{"project":"p","polluted":"yes"}},"output":"o"}', {
    field: "project",
  }),
  logRaw("__proto__ in metadata", '{"project":"p","output":"o","metadata":{"__proto__":{"polluted":"yes"}},"confidence":7}', {
    field: "confidence",
  }),
  logRaw("__proto__ as project", '{"project":{"__proto__":{"toString":"x"}},"output":"o"}', { field: "project" }),
  logRaw("__proto__ as tags", '{"project":"p","output":"o","tags":{"__proto__":["x"]}}', { field: "tags" }),
  logRaw("__proto__ null", '{"__proto__":null,"project":null,"output":"o"}', { field: "project" }),
  logRaw("__proto__ in output", '{"project":"p","output":{"__proto__":{"polluted":"yes"}},"latencyMs":"x"}', { field: "latencyMs" }),
  logRaw("hasOwnProperty overridden", '{"hasOwnProperty":1,"toString":2,"project":[],"output":"o"}', { field: "project" }),
  logRaw("prototype-ish names as values", '{"project":"toString","output":"valueOf","sync":"constructor"}', { field: "sync" }),
];

// ---------------------------------------------------------------- GET /api/logs

const listQuery = (query: string, field?: string, name?: string): Case => ({
  name: name ?? (query.length > 60 ? `${query.slice(0, 50)}… (${query.length} chars)` : query),
  method: "GET",
  path: `/api/logs?${query}`,
  ...(field !== undefined && { field }),
});

const listCases: Case[] = [
  listQuery("sortBy=bogus", "sortBy"),
  listQuery("sortBy=__proto__", "sortBy"),
  listQuery("sortBy=constructor", "sortBy"),
  listQuery("sortBy=workspaceId", "sortBy"),
  listQuery("sortBy=timestamp%3BDROP%20TABLE%20logs", "sortBy"),
  listQuery("sortBy=timestamp&sortBy=model", "sortBy"),
  listQuery("sortDir=up", "sortDir"),
  listQuery("sortDir=asc&sortDir=desc", "sortDir"),
  listQuery("page=0", "page"),
  listQuery("page=-1", "page"),
  listQuery("page=abc", "page"),
  listQuery("page=1e9", "page"),
  listQuery("page=1.5", "page"),
  listQuery("page=999999999", "page"),
  listQuery("page=99999999999999999999", "page"),
  listQuery("page=1&page=2", "page"),
  listQuery("limit=0", "limit"),
  listQuery("limit=101", "limit"),
  listQuery("limit=abc", "limit"),
  listQuery("limit=-5", "limit"),
  listQuery("limit=1e2", "limit"),
  listQuery("limit=%20%2010", "limit"),
  listQuery("status=unknown", "status"),
  listQuery("status=pass&status=flagged", "status"),
  listQuery("pending=maybe", "pending"),
  listQuery("pending=yes", "pending"),
  listQuery("pending=true&pending=false", "pending"),
  listQuery("from=garbage", "from"),
  listQuery("from=2024-13-45", "from"),
  listQuery("to=yesterday", "to"),
  listQuery("to=2024-02-30", "to"),
  listQuery("from=0", "from"),
  listQuery("from=2024-06-01&to=2024-01-01", "from", "from after to"),
  listQuery("from=2024-01-01&from=2024-02-01", "from"),
  listQuery(`tags=${Array.from({ length: LIMITS.tags + 1 }, (_, i) => `t${i}`).join(",")}`, "tags", "51 tags"),
  listQuery(`tags=${x(6_000)}`, "tags", "tags of 6,000 chars"),
  listQuery("tags=a&tags=b", "tags"),
  listQuery(`q=${x(LIMITS.queryChars + 1)}`, "q", "q over 200 chars"),
  listQuery("q=a&q=b", "q"),
  listQuery("q=%00", "q", "q a NUL character"),
  listQuery(`project=${x(201)}`, "project", "project over 200 chars"),
  listQuery("project=a&project=b", "project"),
  listQuery("task=a&task=b", "task"),
  listQuery(`sessionId=${x(201)}`, "sessionId", "sessionId over 200 chars"),
  listQuery("subjectId=a&subjectId=b", "subjectId"),
  listQuery("actorId=%00", "actorId", "actorId a NUL character"),
  { name: "task names: project repeated", method: "GET", path: "/api/logs/tasks?project=a&project=b", field: "project" },
  { name: "task names: project over 200 chars", method: "GET", path: `/api/logs/tasks?project=${x(201)}`, field: "project" },
  { name: "task names: project with NUL", method: "GET", path: "/api/logs/tasks?project=a%00", field: "project" },
];

// ---------------------------------------------------------------- single logs, decisions, bulk

/** A PATCH case builder for one route: `(body, field?, name?) => Case`. */
const patchCase =
  (label: string, path: string) =>
  (body: unknown, field?: string, name?: string): Case => ({
    name: `${label} ${name ?? show(body)}`,
    method: "PATCH",
    path,
    body,
    ...(field !== undefined && { field }),
  });
const decision = patchCase("decision", "/api/logs/{log}/decision");
const bulk = patchCase("bulk", "/api/logs/bulk");

const reviewCases: Case[] = [
  { name: "GET log id over 200 chars", method: "GET", path: `/api/logs/${x(201)}`, field: "id" },
  { name: "GET log id with a NUL", method: "GET", path: "/api/logs/%00", field: "id" },
  { name: "GET log id with broken percent-encoding", method: "GET", path: "/api/logs/%E0%A4%A", field: "path" },
  { name: "GET log id %", method: "GET", path: "/api/logs/%", field: "path" },
  {
    name: "PATCH decision on a broken percent-encoded id",
    method: "PATCH",
    path: "/api/logs/%ZZ/decision",
    body: { decision: "approved" },
    field: "path",
  },
  { name: "GET project tasks with broken percent-encoding", method: "GET", path: "/api/projects/%C0%AF/tasks", field: "path" },
  { name: "GET status id with a NUL", method: "GET", path: "/api/logs/a%00b/status", field: "id" },
  { name: "DELETE log id with a NUL", method: "DELETE", path: "/api/logs/%00", field: "id" },
  { name: "GET unknown log", method: "GET", path: "/api/logs/no-such-log", expectStatus: 404 },
  { name: "GET unknown log (uuid)", method: "GET", path: `/api/logs/${UUID_NOBODY}`, expectStatus: 404 },
  { name: "GET status of an unknown log", method: "GET", path: "/api/logs/no-such-log/status", expectStatus: 404 },
  { name: "GET path traversal as log id", method: "GET", path: "/api/logs/..%2F..%2Fetc%2Fpasswd", expectStatus: 404 },
  { name: "GET SQL as log id", method: "GET", path: "/api/logs/'%20OR%201%3D1--", expectStatus: 404 },
  { name: "DELETE unknown log", method: "DELETE", path: "/api/logs/no-such-log", expectStatus: 404 },

  decision({}, "decision", "empty object"),
  decision({ decision: "maybe" }, "decision"),
  decision({ decision: "approve" }, "decision"),
  decision({ decision: "" }, "decision"),
  decision({ decision: 1 }, "decision"),
  decision({ decision: true }, "decision"),
  decision({ decision: null }, "decision"),
  decision({ decision: ["approved"] }, "decision"),
  decision({ decision: { value: "approved" } }, "decision"),
  decision({ decision: "approved", decidedBy: 5 }, "decidedBy"),
  decision({ decision: "approved", decidedBy: x(201) }, "decidedBy"),
  decision({ decision: "approved", decidedBy: "a\u0000" }, "decidedBy"),
  decision({ decision: "approved", source: x(51) }, "source"),
  decision({ decision: "approved", source: ["api"] }, "source"),
  { ...decision(undefined, "body", "broken JSON"), body: undefined, raw: '{"decision":"approved"' },
  { ...decision(undefined, "body", "a JSON string"), body: undefined, raw: '"approved"' },
  { ...decision(undefined, "body", "a JSON array"), body: undefined, raw: '["approved"]' },
  { ...decision(undefined, "body", "JSON null"), body: undefined, raw: "null" },
  { ...decision(undefined, "body", "empty body"), body: undefined, raw: "" },
  { ...decision({ decision: "approved" }, undefined, "on an unknown log"), path: "/api/logs/no-such-log/decision", expectStatus: 404 },
  { ...decision({ decision: "approved" }, "id", "on an id over 200 chars"), path: `/api/logs/${x(201)}/decision` },

  bulk({}, "ids", "empty object"),
  bulk({ action: "approve" }, "ids", "without ids"),
  bulk({ ids: "abc", action: "approve" }, "ids"),
  bulk({ ids: 5, action: "approve" }, "ids"),
  bulk({ ids: { 0: "a" }, action: "approve" }, "ids"),
  bulk({ ids: null, action: "approve" }, "ids"),
  bulk({ ids: [], action: "approve" }, "ids"),
  bulk({ ids: Array.from({ length: LIMITS.bulkIds + 1 }, (_, i) => `log-${i}`), action: "delete" }, "ids", "501 ids"),
  bulk({ ids: Array.from({ length: 100_000 }, (_, i) => `l${i}`), action: "delete" }, "ids", "100,000 ids"),
  bulk({ ids: [1, 2], action: "approve" }, "ids"),
  bulk({ ids: [""], action: "approve" }, "ids"),
  bulk({ ids: [x(201)], action: "approve" }, "ids", "an id over 200 chars"),
  bulk({ ids: [null], action: "approve" }, "ids"),
  bulk({ ids: [["nested"]], action: "approve" }, "ids"),
  bulk({ ids: ["a\u0000"], action: "delete" }, "ids", "an id with a NUL"),
  bulk({ ids: ["a"] }, "action", "without action"),
  bulk({ ids: ["a"], action: "approveall" }, "action"),
  bulk({ ids: ["a"], action: "" }, "action"),
  bulk({ ids: ["a"], action: 5 }, "action"),
  bulk({ ids: ["a"], action: null }, "action"),
  bulk({ ids: ["a"], action: ["approve"] }, "action"),
  bulk({ ids: ["a"], action: "approve", decidedBy: {} }, "decidedBy"),
  { ...bulk(undefined, "body", "broken JSON"), body: undefined, raw: '{"ids":["a"],"action":"delete",' },
  { ...bulk(undefined, "body", "a JSON array"), body: undefined, raw: '[{"ids":["a"],"action":"delete"}]' },
];

// ---------------------------------------------------------------- projects and tasks

const project = (method: Method, path: string, body: unknown, field?: string, name?: string, extra: Partial<Case> = {}): Case => ({
  name: `${method} ${path.replace(/\{(\w+)\}/, ":$1")} ${name ?? show(body)}`,
  method,
  path,
  body,
  ...(field !== undefined && { field }),
  ...extra,
});

const projectCases: Case[] = [
  project("POST", "/api/projects", {}, "name", "empty object"),
  ...NOT_TEXT.map(([label, value]) => project("POST", "/api/projects", { name: value }, "name", `name as ${label}`)),
  project("POST", "/api/projects", { name: "" }, "name"),
  project("POST", "/api/projects", { name: "  " }, "name"),
  project("POST", "/api/projects", { name: x(201) }, "name", "name over 200 chars"),
  project("POST", "/api/projects", { name: "a\u0000b" }, "name", "name with a NUL"),
  project("POST", "/api/projects", { name: "ok-name", icon: 5 }, "icon"),
  project("POST", "/api/projects", { name: "ok-name", icon: x(65) }, "icon", "icon over 64 chars"),
  project("POST", "/api/projects", { name: "alpha" }, undefined, "name already taken", { expectStatus: 409 }),
  { ...project("POST", "/api/projects", undefined, "body", "broken JSON"), raw: '{"name":' },
  { ...project("POST", "/api/projects", undefined, "body", "a JSON array"), raw: '[{"name":"x"}]' },
  { ...project("POST", "/api/projects", undefined, "body", "a JSON string"), raw: '"x"' },

  project("PATCH", "/api/projects/{alpha}", {}, "name", "empty object"),
  project("PATCH", "/api/projects/{alpha}", { name: "" }, "name"),
  project("PATCH", "/api/projects/{alpha}", { name: 5 }, "name"),
  project("PATCH", "/api/projects/{alpha}", { name: null }, "name"),
  project("PATCH", "/api/projects/{alpha}", { name: ["x"] }, "name"),
  project("PATCH", "/api/projects/{alpha}", { name: x(201) }, "name", "name over 200 chars"),
  project("PATCH", "/api/projects/{alpha}", { icon: 5 }, "icon"),
  project("PATCH", "/api/projects/{alpha}", { icon: x(65) }, "icon", "icon over 64 chars"),
  project("PATCH", "/api/projects/{alpha}", { name: "renamed", merge: "maybe" }, "merge"),
  project("PATCH", "/api/projects/{alpha}", { name: "renamed", merge: 2 }, "merge"),
  project("PATCH", "/api/projects/{alpha}", { merge: true }, "name", "merge without a name"),
  project("PATCH", "/api/projects/{alpha}", { name: "beta" }, undefined, "onto another project's name without merge", {
    expectStatus: 409,
  }),
  { ...project("PATCH", "/api/projects/{alpha}", undefined, "body", "broken JSON"), raw: "{'name':'x'}" },
  { ...project("PATCH", "/api/projects/{alpha}", undefined, "body", "JSON null"), raw: "null" },

  project("POST", "/api/projects/{alpha}/tasks", {}, "name", "empty object"),
  project("POST", "/api/projects/{alpha}/tasks", { name: 5 }, "name"),
  project("POST", "/api/projects/{alpha}/tasks", { name: null }, "name"),
  project("POST", "/api/projects/{alpha}/tasks", { name: "" }, "name"),
  project("POST", "/api/projects/{alpha}/tasks", { name: { a: 1 } }, "name"),
  project("POST", "/api/projects/{alpha}/tasks", { name: x(201) }, "name", "name over 200 chars"),
  project("POST", "/api/projects/{alpha}/tasks", { name: "t\u0000" }, "name", "name with a NUL"),
  project("POST", "/api/projects/{alpha}/tasks", { name: "seeded-task" }, undefined, "name already taken", { expectStatus: 409 }),
  { ...project("POST", "/api/projects/{alpha}/tasks", undefined, "body", "broken JSON"), raw: '{"name":"t",}' },
  { ...project("POST", "/api/projects/{alpha}/tasks", undefined, "body", "a JSON number"), raw: "7" },

  project("DELETE", "/api/projects/{alpha}/tasks", undefined, "taskName", "without taskName"),
  project("DELETE", "/api/projects/{alpha}/tasks?taskName=", undefined, "taskName", "with an empty taskName"),
  project("DELETE", "/api/projects/{alpha}/tasks?taskName=%20%20", undefined, "taskName", "with a blank taskName"),
  project("DELETE", "/api/projects/{alpha}/tasks?taskName=a&taskName=b", undefined, "taskName", "with taskName repeated"),
  project("DELETE", `/api/projects/{alpha}/tasks?taskName=${x(201)}`, undefined, "taskName", "with taskName over 200 chars"),
  project("DELETE", "/api/projects/{alpha}/tasks?taskName=a%00", undefined, "taskName", "with a NUL in taskName"),
  project("DELETE", "/api/projects/{alpha}/tasks?taskname=seeded-task", undefined, "taskName", "with taskname (wrong case)"),
  project("DELETE", "/api/projects/{alpha}/tasks?taskName=no-such-task", undefined, undefined, "of an unknown task", {
    expectStatus: 404,
  }),

  // Ids that are not (this workspace's) project UUIDs: 404, never 500.
  ...["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", `${UUID_NOBODY}x`, "%27%3B%20DROP%20TABLE%20projects--", x(150)].flatMap(
    (id) => [
      project("PATCH", `/api/projects/${id}`, { name: "renamed" }, undefined, `id ${show(id)}`, { expectStatus: 404 }),
      project("DELETE", `/api/projects/${id}`, undefined, undefined, `id ${show(id)}`, { expectStatus: 404 }),
      project("GET", `/api/projects/${id}/tasks`, undefined, undefined, `id ${show(id)}`, { expectStatus: 404 }),
      project("POST", `/api/projects/${id}/tasks`, { name: "t" }, undefined, `id ${show(id)}`, { expectStatus: 404 }),
      project("DELETE", `/api/projects/${id}/tasks?taskName=t`, undefined, undefined, `id ${show(id)}`, { expectStatus: 404 }),
    ],
  ),
  project("PATCH", `/api/projects/${UUID_NOBODY}`, { name: "renamed" }, undefined, "unknown uuid", { expectStatus: 404 }),
  project("DELETE", `/api/projects/${UUID_NOBODY}`, undefined, undefined, "unknown uuid", { expectStatus: 404 }),
  project("PATCH", "/api/projects/{foreign}", { name: "stolen" }, undefined, "another workspace's project", { expectStatus: 404 }),
  project("DELETE", "/api/projects/{foreign}", undefined, undefined, "another workspace's project", { expectStatus: 404 }),
  project("POST", "/api/projects/{foreign}/tasks", { name: "t" }, undefined, "another workspace's project", { expectStatus: 404 }),
  project("GET", "/api/projects/%00/tasks", undefined, "id", "id a NUL character"),
  project("DELETE", `/api/projects/${x(201)}`, undefined, "id", "id over 200 chars"),
];

// ---------------------------------------------------------------- auth

const TOKENLESS: [string, string | null][] = [
  ["no Authorization header", null],
  ["Bearer without a token", "Bearer"],
  ["Bearer and spaces", "Bearer    "],
  ["a wrong wh- token", "Bearer wh-wrong"],
  ["a well-formed unknown token", `Bearer wh-${"A".repeat(43)}`],
  ["a non-wh token", "Bearer sk-live-1234567890"],
  ["Basic auth", "Basic dXNlcjpwYXNz"],
  ["a token of 10,000 chars", `Bearer wh-${x(10_000, "a")}`],
  ["a token with spaces", "Bearer wh-abc def"],
  ["lower-case bearer and a wrong token", "bearer wh-nope"],
  ["a JSON web token", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"],
];

const authCases: Case[] = [
  ...TOKENLESS.map(([name, auth]): Case => ({
    name: `GET /api/logs with ${name}`,
    method: "GET",
    path: "/api/logs",
    auth,
    expectStatus: 401,
  })),
  ...TOKENLESS.map(([name, auth]): Case => ({
    name: `POST /api/logs with ${name}`,
    method: "POST",
    path: "/api/logs",
    body: LOG,
    auth,
    expectStatus: 401,
  })),
  ...(["GET /api/verify", "GET /api/projects", "PATCH /api/logs/bulk", "POST /api/projects", "DELETE /api/logs/{log}"] as const).map(
    (route): Case => {
      const [method, path] = route.split(" ") as [Method, string];
      return {
        name: `${route} without a token`,
        method,
        path,
        body: method === "GET" || method === "DELETE" ? undefined : {},
        auth: null,
        expectStatus: 401,
      };
    },
  ),
  {
    name: "x-api-key with a wrong token",
    method: "GET",
    path: "/api/logs",
    auth: null,
    headers: { "x-api-key": "wh-wrong" },
    expectStatus: 401,
  },
  {
    name: "x-api-key that is not a token",
    method: "GET",
    path: "/api/logs",
    auth: null,
    headers: { "x-api-key": "hello" },
    expectStatus: 401,
  },
];

// ---------------------------------------------------------------- hook subscriptions and deliveries

const HOOK = { url: "https://hooks.example.com/tracira", events: ["log.flagged"] };
const hook = (body: unknown, field?: string, name?: string): Case => ({
  name: `hook ${name ?? show(body)}`,
  method: "POST",
  path: "/api/hooks",
  body,
  ...(field !== undefined && { field }),
});

const hookCases: Case[] = [
  hook({}, "url", "empty body"),
  { name: "hook body is an array", method: "POST", path: "/api/hooks", raw: JSON.stringify([HOOK]), field: "body" },
  { name: "hook body is broken JSON", method: "POST", path: "/api/hooks", raw: '{"url":', field: "body" },
  hook({ events: HOOK.events }, "url", "without url"),
  hook({ ...HOOK, url: 42 }, "url", "url as a number"),
  hook({ ...HOOK, url: "ftp://hooks.example.com/x" }, "url", "ftp url"),
  hook({ ...HOOK, url: "not a url" }, "url", "url not a url"),
  hook({ ...HOOK, url: `https://example.com/${x(LIMITS.urlChars)}` }, "url", "url over the URL limit"),
  hook({ ...HOOK, url: "javascript:alert(1)" }, "url", "javascript: url"),
  hook({ url: HOOK.url }, "events", "without events"),
  hook({ ...HOOK, events: [] }, "events", "no events"),
  hook({ ...HOOK, events: "log.flagged" }, "events", "events as text"),
  hook({ ...HOOK, events: ["log.nope"] }, "events", "unknown event"),
  hook({ ...HOOK, events: [null] }, "events", "events [null]"),
  hook({ ...HOOK, events: Array.from({ length: 1000 }, () => "log.flagged") }, "events", "1000 events"),
  hook({ ...HOOK, project: 42 }, "project", "project as a number"),
  hook({ ...HOOK, project: x(LIMITS.projectNameChars + 1) }, "project", "project over the limit"),
  hook({ ...HOOK, task: ["t"] }, "task", "task as an array"),
  hook({ ...HOOK, source: x(51) }, "source", "source over 50 chars"),
  { name: "DELETE an unknown hook", method: "DELETE", path: `/api/hooks/${UUID_NOBODY}`, expectStatus: 404 },
  { name: "DELETE a hook id that is not a uuid", method: "DELETE", path: "/api/hooks/x", expectStatus: 404 },
  { name: "DELETE a hook id with a NUL", method: "DELETE", path: "/api/hooks/%00", field: "id" },
  { name: "deliveries limit=0", method: "GET", path: "/api/deliveries?limit=0", field: "limit" },
  { name: "deliveries limit=abc", method: "GET", path: "/api/deliveries?limit=abc", field: "limit" },
  { name: "deliveries limit=1000", method: "GET", path: "/api/deliveries?limit=1000", field: "limit" },
  { name: "deliveries status=nope", method: "GET", path: "/api/deliveries?status=nope", field: "status" },
  { name: "deliveries logId over 200 chars", method: "GET", path: `/api/deliveries?logId=${x(201)}`, field: "logId" },
  { name: "hooks without a token", method: "GET", path: "/api/hooks", auth: null, expectStatus: 401 },
  { name: "deliveries without a token", method: "GET", path: "/api/deliveries", auth: null, expectStatus: 401 },
  { name: "POST hooks without a token", method: "POST", path: "/api/hooks", body: HOOK, auth: null, expectStatus: 401 },
];

// ---------------------------------------------------------------- unknown routes and methods

const notFound = (method: Method, path: string, extra: Partial<Case> = {}): Case => ({
  name: `${method} ${path.length > 60 ? `${path.slice(0, 50)}… (${path.length} chars)` : path}`,
  method,
  path,
  expectStatus: 404,
  ...extra,
});

const routeCases: Case[] = [
  // GET / is the dashboard (dashboard-api.test.ts); other verbs on it are not routes.
  notFound("POST", "/", { body: {} }),
  notFound("GET", "/etc/passwd"),
  notFound("GET", "/api"),
  notFound("GET", "/api/"),
  notFound("GET", "/api/nope"),
  notFound("GET", "/api/logz"),
  notFound("PUT", "/api/logs", { body: LOG }),
  notFound("DELETE", "/api/logs"),
  notFound("PATCH", "/api/logs", { body: {} }),
  notFound("POST", "/api/logs/some-id", { body: LOG }),
  notFound("POST", "/api/logs/some-id/extra", { body: LOG }),
  notFound("GET", "/api/logs/some-id/status/extra"),
  notFound("GET", "/api/logs/some-id/decision"),
  notFound("POST", "/api/verify", { body: {} }),
  notFound("PUT", "/api/projects/x", { body: { name: "x" } }),
  notFound("GET", "/api/projects/x"),
  notFound("POST", "/api/rulez", { body: {} }),
  notFound("GET", "/api/nope", { auth: null, name: "GET /api/nope without a token" }),
  notFound("GET", "/api/../../etc/passwd"),
  notFound("GET", "/api/%2e%2e/%2e%2e/etc/passwd"),
  notFound("GET", `/api/${x(5_000)}`),
  notFound("GET", "/api/logs%00"),
  notFound("PROPFIND", "/api/logs"),
  notFound("GET", "/.env", { auth: null, name: "GET /.env without a token" }),
  notFound("GET", "/wp-login.php", { auth: null, name: "GET /wp-login.php without a token" }),
];

// ---------------------------------------------------------------- rules

const RULE = { name: "hostile rule", type: "keyword_required", value: "thanks" };
const rule = (method: Method, path: string, body: unknown, field?: string, name?: string, extra: Partial<Case> = {}): Case =>
  project(method, path, body, field, name, extra);
const ruleWith = (change: Record<string, unknown>, field: string, name?: string) =>
  rule("POST", "/api/rules", { ...RULE, ...change }, field, name ?? show(change));
const evaluateWith = (body: unknown, field: string, name?: string) => rule("POST", "/api/rules/evaluate", body, field, name);

const ruleCases: Case[] = [
  rule("POST", "/api/rules", {}, "name", "empty object"),
  ...NOT_TEXT.filter(([label]) => label !== "null").map(([label, value]) => ruleWith({ name: value }, "name", `name as ${label}`)),
  ruleWith({ name: x(201) }, "name", "name over 200 chars"),
  ruleWith({ name: "a\u0000" }, "name", "name with a NUL"),
  ruleWith({ type: "keyword" }, "type"),
  ruleWith({ type: "" }, "type"),
  ruleWith({ type: null }, "type"),
  ruleWith({ type: ["regex_match"] }, "type"),
  ruleWith({ value: undefined }, "value", "without value"),
  ruleWith({ value: "" }, "value"),
  ruleWith({ value: "   " }, "value"),
  ruleWith({ value: null }, "value"),
  ruleWith({ value: true }, "value"),
  ruleWith({ value: { a: 1 } }, "value"),
  ruleWith({ value: x(10_001) }, "value", "value over 10,000 chars"),
  ruleWith({ type: "regex_match", value: "(a" }, "value"),
  ruleWith({ type: "regex_match", value: "/a/gg" }, "value"),
  ruleWith({ type: "regex_match", value: "[z-a]" }, "value"),
  ruleWith({ type: "length_limit", value: "-1" }, "value"),
  ruleWith({ type: "length_limit", value: "1e3" }, "value"),
  ruleWith({ type: "length_limit", value: "9-3" }, "value"),
  ruleWith({ type: "length_limit", value: x(12, "9") }, "value", "length over 9 digits"),
  ruleWith({ type: "confidence_threshold", value: "-0.1" }, "value"),
  ruleWith({ type: "confidence_threshold", value: 1.01 }, "value"),
  ruleWith({ type: "confidence_threshold", value: "NaN" }, "value"),
  ruleWith({ type: "json_field", value: "a..b" }, "value"),
  ruleWith({ type: "json_field", value: "a[01x]" }, "value"),
  ruleWith({ type: "json_field", value: "[" }, "value"),
  ruleWith({ type: "json_field_keyword_required", value: "a.b" }, "value", "keyword rule without a colon"),
  ruleWith({ type: "json_field_keyword_forbidden", value: ": x" }, "value", "keyword rule without a path"),
  ruleWith({ type: "json_field_keyword_forbidden", value: "a: ,," }, "value", "keyword rule without keywords"),
  ruleWith({ isActive: "yes" }, "isActive"),
  ruleWith({ isActive: 1 }, "isActive"),
  ruleWith({ projectId: 5 }, "projectId"),
  ruleWith({ projectId: "not-a-uuid" }, "projectId"),
  ruleWith({ projectId: UUID_NOBODY }, "projectId", "an unknown projectId"),
  ruleWith({ projectId: "{foreign}" }, "projectId", "another workspace's projectId"),
  ruleWith({ projectId: "{alpha}", projectName: "beta" }, "projectName", "projectId and projectName disagreeing"),
  ruleWith({ projectName: x(201) }, "projectName", "projectName over 200 chars"),
  ruleWith({ taskName: ["t"] }, "taskName"),
  ruleWith({ llmJudgeProvider: "gemini" }, "llmJudgeProvider"),
  ruleWith({ llmJudgeModel: x(201) }, "llmJudgeModel", "llmJudgeModel over 200 chars"),
  { ...rule("POST", "/api/rules", undefined, "body", "broken JSON"), raw: '{"name":"x",' },
  { ...rule("POST", "/api/rules", undefined, "body", "a JSON array"), raw: "[{}]" },

  rule("PATCH", "/api/rules/{rule}", {}, "body", "empty object"),
  rule("PATCH", "/api/rules/{rule}", { name: "" }, "name"),
  rule("PATCH", "/api/rules/{rule}", { type: "regex_match", value: "(" }, "value"),
  rule("PATCH", "/api/rules/{rule}", { type: "length_limit" }, "value", "a type its stored value does not fit"),
  rule("PATCH", "/api/rules/{rule}", { value: null }, "value"),
  rule("PATCH", "/api/rules/{rule}", { isActive: "maybe" }, "isActive"),
  rule("PATCH", "/api/rules/{rule}", { projectId: UUID_NOBODY }, "projectId", "an unknown projectId"),
  rule("PATCH", "/api/rules/{foreignRule}", { name: "mine now" }, undefined, "another workspace's rule", { expectStatus: 404 }),
  rule("PATCH", `/api/rules/${UUID_NOBODY}`, { name: "x" }, undefined, "an unknown rule", { expectStatus: 404 }),
  rule("DELETE", "/api/rules/{foreignRule}", undefined, undefined, "another workspace's rule", { expectStatus: 404 }),
  rule("DELETE", "/api/rules/not-a-uuid", undefined, undefined, "a malformed id", { expectStatus: 404 }),
  rule("GET", "/api/rules/{foreignRule}", undefined, undefined, "another workspace's rule", { expectStatus: 404 }),
  rule("GET", `/api/rules/${x(201)}`, undefined, "id", "an id over 200 chars"),
  rule("GET", "/api/rules/%00", undefined, "id", "an id with a NUL"),

  evaluateWith({}, "output", "empty object"),
  evaluateWith({ output: "x" }, "rule", "without rule"),
  evaluateWith({ output: 5, rule: { type: "keyword_required", value: "a" } }, "output", "output as a number"),
  evaluateWith({ output: x(50_001), rule: { type: "keyword_required", value: "a" } }, "output", "output over 50,000 chars"),
  evaluateWith({ output: "x", rule: 5 }, "rule", "rule as a number"),
  evaluateWith({ output: "x", rule: [] }, "rule", "rule as an array"),
  evaluateWith({ output: "x", rule: { type: "nope", value: "a" } }, "rule", "an unknown type"),
  evaluateWith({ output: "x", rule: { type: "regex_match", value: "(" } }, "rule.value", "an invalid pattern"),
  evaluateWith({ output: "x", rule: { type: "keyword_required", value: "a" }, confidence: 2 }, "confidence", "confidence above 1"),
  evaluateWith({ output: "x", rule: { type: "keyword_required", value: "a" }, confidence: "high" }, "confidence"),
  { ...evaluateWith({ output: "x", rule: "{foreignRule}" }, "rule", "another workspace's rule id"), field: undefined, expectStatus: 404 },
  { ...evaluateWith({ output: "x", rule: { id: UUID_NOBODY } }, "rule", "an unknown rule id"), field: undefined, expectStatus: 404 },
];

// ---------------------------------------------------------------- settings

const setting = (body: unknown, field?: string, name?: string, extra: Partial<Case> = {}): Case =>
  project("PATCH", "/api/settings", body, field, name ?? show(body), extra);

const settingsCases: Case[] = [
  setting({}, "body", "empty object"),
  setting({ workspaceName: "" }, "workspaceName"),
  setting({ workspaceName: x(201) }, "workspaceName", "workspaceName over 200 chars"),
  setting({ workspaceName: 5 }, "workspaceName"),
  setting({ workspaceName: "ok", unknownSetting: true }, "body", "an unknown setting beside a valid one"),
  { ...setting(undefined, "body", "a __proto__ key beside a valid one"), raw: '{"__proto__":{"admin":true},"workspaceName":"ok"}' },
  setting({ slackWebhookUrl: "javascript:alert(1)" }, "slackWebhookUrl"),
  setting({ slackWebhookUrl: `https://${x(2_100)}.com` }, "slackWebhookUrl", "slackWebhookUrl over 2,048 chars"),
  setting({ outboundWebhookUrl: "file:///etc/passwd" }, "outboundWebhookUrl"),
  setting({ outboundWebhookEvents: [1] }, "outboundWebhookEvents"),
  setting({ outboundWebhookEvents: { 0: "log.flagged" } }, "outboundWebhookEvents"),
  setting({ notificationEmail: "a@b" }, "notificationEmail"),
  setting({ notificationEmail: `${x(250)}@example.com` }, "notificationEmail", "notificationEmail over 254 chars"),
  setting({ estimatedIncidentCostUsd: "1e999" }, "estimatedIncidentCostUsd"),
  setting({ estimatedIncidentCostUsd: true }, "estimatedIncidentCostUsd"),
  setting({ openaiApiKey: x(501) }, "openaiApiKey", "openaiApiKey over 500 chars"),
  setting({ openaiApiKey: 12345678901 }, "openaiApiKey"),
  setting({ anthropicApiKey: "sk-ant\u0000abcdef" }, "anthropicApiKey", "anthropicApiKey with a NUL"),
  setting({ defaultJudgeProvider: "OpenAI" }, "defaultJudgeProvider"),
  setting({ openaiJudgeModel: ["gpt-4o"] }, "openaiJudgeModel"),
  setting({ color: "#12345" }, "color"),
  setting({ onboardingDismissed: "nope" }, "onboardingDismissed"),
  { ...setting(undefined, "body", "broken JSON"), raw: '{"workspaceName":' },
  { ...setting(undefined, "body", "a JSON array"), raw: '[{"workspaceName":"x"}]' },
  project("PUT", "/api/settings", { workspaceName: "x" }, undefined, "PUT instead of PATCH", { expectStatus: 404 }),
  project("GET", "/api/settings/rotate-token", undefined, undefined, "GET on rotate-token", { expectStatus: 404 }),
];

// ---------------------------------------------------------------- traces: spans, evaluations, the trace API, OTLP

const SPAN = { id: "span-1", kind: "llm", name: "step", startedAt: "2026-05-01T12:00:00Z" };
/** One span with one field replaced (undefined removes it). */
const spanWith = (field: string, value: unknown) => {
  const span: Record<string, unknown> = { ...SPAN, [field]: value };
  if (value === undefined) delete span[field];
  return span;
};
const SPAN_BREAKS: [string, unknown, string?][] = [
  ["id", undefined, "without id"],
  ["id", ""],
  ["id", "has space"],
  ["id", x(201), "id over 200 chars"],
  ["id", 5],
  ["id", null],
  ["id", "a/b"],
  ["parentSpanId", 5],
  ["parentSpanId", "bad id!"],
  ["parentSpanId", {}],
  ["kind", undefined, "without kind"],
  ["kind", "robot"],
  ["kind", ""],
  ["kind", 3],
  ["kind", null],
  ["name", undefined, "without name"],
  ["name", ""],
  ["name", "   "],
  ["name", x(201), "name over 200 chars"],
  ["name", 7],
  ["status", "done"],
  ["status", 1],
  ["startedAt", undefined, "without startedAt"],
  ["startedAt", "yesterday"],
  ["startedAt", "2026-13-45T00:00:00Z"],
  ["startedAt", ""],
  ["startedAt", null],
  ["startedAt", true],
  ["endedAt", "nope"],
  ["endedAt", true],
  ["provider", x(201), "provider over 200 chars"],
  ["provider", 5],
  ["model", x(201), "model over 200 chars"],
  ["model", []],
  ["inputTokens", -1],
  ["inputTokens", 1.5],
  ["inputTokens", "many"],
  ["inputTokens", {}],
  ["outputTokens", -5],
  ["outputTokens", "x"],
  ["cachedInputTokens", -1],
  ["costUsd", -0.01],
  ["costUsd", "free"],
  ["attributes", "text"],
  ["attributes", [1]],
  ["attributes", 5],
  ["dottedOrder", x(10_001), "dottedOrder over 10,000 chars"],
  ["dottedOrder", 5],
  ["eventType", "click"],
  ["eventType", 5],
  ["decisionKind", x(201), "decisionKind over 200 chars"],
];

const append = (body: unknown, field?: string, name?: string, extra: Partial<Case> = {}): Case => ({
  name: `spans: ${name ?? show(body)}`,
  method: "POST",
  path: "/api/logs/{log}/spans",
  body,
  field,
  ...extra,
});
const manySpans = (n: number) => Array.from({ length: n }, (_, i) => ({ ...SPAN, id: `s-${i}` }));

const spanCases: Case[] = [
  ...SPAN_BREAKS.map(([field, value, name]) =>
    append({ spans: [spanWith(field, value)] }, `spans.0.${field}`, `${field} ${name ?? show(value)}`),
  ),
  append({}, "spans", "empty object"),
  append({ spans: [] }, "spans", "no spans"),
  append({ spans: "span" }, "spans", "spans as text"),
  append({ spans: { 0: SPAN } }, "spans", "spans as an object"),
  append({ spans: [5] }, "spans.0", "a span as a number"),
  append({ spans: manySpans(LIMITS.spansPerRequest + 1) }, "spans", "over the span limit"),
  append({ spans: [SPAN, SPAN] }, "spans.1.id", "the same id twice"),
  append(
    { spans: [spanWith("parentSpanId", "span-2"), { ...SPAN, id: "span-2", parentSpanId: "span-1" }] },
    "spans",
    "parents in a circle",
  ),
  { ...append(undefined, "body", "broken JSON"), raw: '{"spans":[' },
  { ...append(undefined, "body", "a JSON array"), raw: "[]" },
  { ...append({ spans: [SPAN] }, undefined, "an unknown log"), path: "/api/logs/no-such-log/spans", expectStatus: 404 },
  { ...append({ spans: [SPAN] }, undefined, "another workspace's log"), path: "/api/logs/{foreignLog}/spans", expectStatus: 404 },
  { ...append({ spans: [SPAN] }, undefined, "without a token"), auth: null, expectStatus: 401 },
  { ...append({ spans: [SPAN] }, "id", "an id over 200 chars"), path: `/api/logs/${x(201)}/spans` },
  // The same breaks sent with a new log: nothing of the log is stored either.
  ...SPAN_BREAKS.filter((_, i) => i % 3 === 0).map(([field, value, name]) =>
    logWith("spans", [spanWith(field, value)], `with a span whose ${field} is ${name ?? show(value)}`, { field: `spans.0.${field}` }),
  ),
  logWith("spans", "x", "as text"),
  logWith("spans", manySpans(LIMITS.spansPerRequest + 1), "over the span limit"),
  logWith("spans", [SPAN, SPAN], "with the same id twice", { field: "spans.1.id" }),
  logWith("trace", "x", "as text"),
  logWith("trace", { name: x(201) }, "name over 200 chars", { field: "trace.name" }),
  logWith("trace", { agentId: 5 }, "agentId as a number", { field: "trace.agentId" }),
  logWith("trace", { runnerId: [] }, "runnerId as an array", { field: "trace.runnerId" }),
  logWith("trace", { threadId: x(201) }, "threadId over 200 chars", { field: "trace.threadId" }),
  logWith("trace", { runId: {} }, "runId as an object", { field: "trace.runId" }),
];

const EVALUATION = { id: "eval-1", evaluator: "team.tone", name: "tone", score: 0.5 };
const evaluate = (body: unknown, field?: string, name?: string, extra: Partial<Case> = {}): Case => ({
  name: `evaluations: ${name ?? show(body)}`,
  method: "POST",
  path: "/api/logs/{log}/evaluations",
  body,
  field,
  ...extra,
});
const evaluationWith = (change: Record<string, unknown>, field: string, name?: string) =>
  evaluate({ evaluations: [{ ...EVALUATION, ...change }] }, `evaluations.0.${field}`, name ?? show(change));

const evaluationCases: Case[] = [
  evaluate({}, "evaluations", "empty object"),
  evaluate({ evaluations: "x" }, "evaluations", "evaluations as text"),
  evaluate({ evaluations: [] }, "evaluations", "no evaluations"),
  evaluate({ evaluations: Array.from({ length: 101 }, (_, i) => ({ ...EVALUATION, id: `e-${i}` })) }, "evaluations", "over 100"),
  evaluationWith({ id: undefined }, "id", "without id"),
  evaluationWith({ id: "two words" }, "id"),
  evaluationWith({ id: x(201) }, "id", "id over 200 chars"),
  evaluationWith({ evaluator: undefined }, "evaluator", "without evaluator"),
  evaluationWith({ evaluator: "" }, "evaluator"),
  evaluationWith({ evaluator: x(201) }, "evaluator", "evaluator over 200 chars"),
  evaluationWith({ evaluator: "rule.keyword_forbidden" }, "evaluator", "a rule's evaluator name"),
  evaluationWith({ evaluator: "llm_judge.openai" }, "evaluator", "a judge's evaluator name"),
  evaluationWith({ evaluator: "human" }, "evaluator", "the human evaluator name"),
  evaluationWith({ name: undefined }, "name", "without name"),
  evaluationWith({ name: 5 }, "name"),
  evaluationWith({ name: x(201) }, "name", "name over 200 chars"),
  evaluationWith({ score: 1.5 }, "score"),
  evaluationWith({ score: -0.1 }, "score"),
  evaluationWith({ score: "high" }, "score"),
  evaluationWith({ label: 5 }, "label"),
  evaluationWith({ label: x(201) }, "label", "label over 200 chars"),
  evaluationWith({ reason: 5 }, "reason"),
  evaluationWith({ metadata: "x" }, "metadata"),
  evaluationWith({ metadata: [1] }, "metadata"),
  evaluationWith({ evaluatorVersion: 5 }, "evaluatorVersion"),
  evaluationWith({ spanId: "bad span!" }, "spanId"),
  evaluationWith({ spanId: "not-a-span-here" }, "spanId", "a span the trace does not have"),
  { ...evaluate({ evaluations: [EVALUATION] }, undefined, "an unknown log"), path: "/api/logs/no-such-log/evaluations", expectStatus: 404 },
  {
    ...evaluate({ evaluations: [EVALUATION] }, undefined, "another workspace's log"),
    path: "/api/logs/{foreignLog}/evaluations",
    expectStatus: 404,
  },
  { ...evaluate({ evaluations: [EVALUATION] }, undefined, "without a token"), auth: null, expectStatus: 401 },
  { ...evaluate(undefined, "body", "broken JSON"), raw: '{"evaluations":' },
];

const traceList = (query: string, field?: string, extra: Partial<Case> = {}): Case => ({
  name: `traces ?${query.length > 60 ? `${query.slice(0, 50)}…` : query}`,
  method: "GET",
  path: `/api/traces?${query}`,
  field,
  ...extra,
});

const traceApiCases: Case[] = [
  traceList("limit=0", "limit"),
  traceList("limit=201", "limit"),
  traceList("limit=abc", "limit"),
  traceList("limit=-1", "limit"),
  traceList("limit=1.5", "limit"),
  traceList("cursor=garbage", "cursor"),
  traceList("cursor=not-a-date%7Cid", "cursor"),
  traceList("cursor=2026-01-01T00:00:00Z%7C", "cursor"),
  traceList(`cursor=${x(401)}`, "cursor"),
  traceList("status=done", "status"),
  traceList(`agent_id=${x(201)}`, "agent_id"),
  traceList(`runner_id=${x(201)}`, "runner_id"),
  traceList(`thread_id=${x(201)}`, "thread_id"),
  traceList(`run_id=${x(201)}`, "run_id"),
  traceList(`q=${x(201)}`, "q"),
  traceList("limit=10", undefined, { auth: null, expectStatus: 401, name: "traces without a token" }),
  { name: "a trace of another workspace", method: "GET", path: "/api/traces/{foreignLog}", expectStatus: 404 },
  { name: "an unknown trace", method: "GET", path: "/api/traces/no-such-trace", expectStatus: 404 },
  { name: "a trace id over 200 chars", method: "GET", path: `/api/traces/${x(201)}`, field: "traceId" },
  { name: "a trace without a token", method: "GET", path: "/api/traces/{log}", auth: null, expectStatus: 401 },
  notFound("POST", "/api/traces", { body: {} }),
  notFound("DELETE", "/api/traces/{log}"),
];

const sessions = (path: string, field?: string, extra: Partial<Case> = {}): Case => ({
  name: `sessions ${path.length > 60 ? `${path.slice(0, 30)}…${path.slice(-20)}` : path || "list"}`,
  method: "GET",
  path: `/api/projects/{alpha}/sessions${path}`,
  field,
  ...extra,
});

const sessionCases: Case[] = [
  sessions("?limit=0", "limit"),
  sessions("?limit=201", "limit"),
  sessions("?limit=abc", "limit"),
  sessions("?cursor=garbage", "cursor"),
  sessions("?cursor=2026-01-01T00:00:00Z%7C", "cursor"),
  sessions(`?cursor=${x(1001)}`, "cursor"),
  sessions("?from=yesterday", "from"),
  sessions("?to=2026-02-30", "to"),
  sessions(`?q=${x(201)}`, "q"),
  sessions("/s-1/traces?eventType=bogus", "eventType"),
  sessions("/s-1/traces?eventType=llm_call,bogus", "eventType"),
  sessions("/s-1/traces?eventType=%2C", "eventType"),
  sessions(`/s-1/traces?decisionKind=${x(1001)}`, "decisionKind"),
  sessions("/s-1/traces?include=everything", "include"),
  sessions(`/s-1/traces/span-1/children?traceId=${x(201)}`, "traceId"),
  sessions(`/s-1/traces/${x(201)}/children`, "spanId"),
  sessions(`/${x(201)}/metrics`, "sessionId"),
  sessions(`/${x(201)}/analysis`, "sessionId"),
  sessions("/export?format=xlsx", "format"),
  sessions("/export?format=csv&eventType=nope", "eventType"),
  sessions("/export?format=csv&from=soon", "from"),
  sessions("/generations?limit=-1", "limit"),
  sessions("/generations?cursor=abc%7Cdef", "cursor"),
  sessions("/generations?cursor=2026-01-01T00:00:00Z%7Conly-a-trace", "cursor"),
  sessions(`/generations?model=${x(201)}`, "model"),
  sessions("", undefined, { auth: null, expectStatus: 401, name: "sessions without a token" }),
  sessions("/export?format=csv", undefined, { auth: null, expectStatus: 401, name: "the session export without a token" }),
  sessions("/no-such-session/metrics", undefined, { expectStatus: 404, name: "an unknown session's metrics" }),
  { name: "the sessions of an unknown project", method: "GET", path: "/api/projects/no-such-project/sessions", expectStatus: 404 },
  { name: "the sessions of another workspace's project", method: "GET", path: "/api/projects/{foreign}/sessions", expectStatus: 404 },
  notFound("POST", "/api/projects/{alpha}/sessions", { body: {} }),
];

const PROTOBUF = { "content-type": "application/x-protobuf" };
const otlpCases: Case[] = ["/v1/traces", "/api/otel/v1/traces"].flatMap((path): Case[] => {
  const otlp = (name: string, extra: Partial<Case>): Case => ({ name: `OTLP ${path} ${name}`, method: "POST", path, ...extra });
  return [
    otlp("without a token", { body: { resourceSpans: [] }, auth: null, expectStatus: 401 }),
    otlp("with a wrong token", { body: { resourceSpans: [] }, auth: "Bearer wh-not-a-real-token", expectStatus: 401 }),
    otlp("protobuf without a token", { raw: new Uint8Array(), headers: PROTOBUF, auth: null, expectStatus: 401 }),
    otlp("broken JSON", { raw: '{"resourceSpans":[', field: "body" }),
    otlp("resourceSpans as text", { body: { resourceSpans: "spans" }, field: "resourceSpans" }),
    otlp("scopeSpans as a number", { body: { resourceSpans: [{ scopeSpans: 5 }] }, field: "resourceSpans.0.scopeSpans" }),
    otlp("spans as an object", { body: { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] }, field: "resourceSpans.0.scopeSpans.0.spans" }),
    otlp("resource attributes as text", {
      body: { resourceSpans: [{ resource: { attributes: "x" } }] },
      field: "resourceSpans.0.resource.attributes",
    }),
    otlp("JSON nested too deep", { raw: `{"resourceSpans":[${deepObject(100)}]}`, field: "resourceSpans" }),
    otlp("truncated protobuf", { raw: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), headers: PROTOBUF, field: "body" }),
    otlp("random bytes as protobuf", { raw: new Uint8Array(randomBytes(512)), headers: PROTOBUF, field: "body" }),
    otlp("gzip that is not gzip", { raw: "not gzip at all", headers: { ...PROTOBUF, "content-encoding": "gzip" }, field: "body" }),
    otlp("over the OTLP body limit", { raw: new Uint8Array(16 * MIB + 1), headers: PROTOBUF, expectStatus: 413 }),
    { name: `OTLP GET ${path}`, method: "GET", path, expectStatus: 404 },
  ];
});

const traceCases: Case[] = [...spanCases, ...evaluationCases, ...traceApiCases, ...sessionCases, ...otlpCases];

const cases: Case[] = [
  ...traceCases,
  ...ingestCases,
  ...listCases,
  ...reviewCases,
  ...projectCases,
  ...ruleCases,
  ...settingsCases,
  ...hookCases,
  ...authCases,
  ...routeCases,
];

// ---------------------------------------------------------------- running them

/** POST /api/logs cases are spread over workspaces so no token sends more than this many (rate limit: 60/min). */
const INGEST_PER_WORKSPACE = 50;

let db: TestDatabase;
let server: TestServer;
const ids: Record<string, string> = {};
const ingestTokens: string[] = [];
let before: { token: string; snapshot: unknown }[] = [];

async function snapshot(token: string) {
  const logs = await server.call("GET", "/api/logs?limit=100", undefined, { token });
  const projects = await server.call("GET", "/api/projects", undefined, { token });
  const rules = await server.call("GET", "/api/rules", undefined, { token });
  expect(rules.status).toBe(200);
  const settings = await server.call("GET", "/api/settings", undefined, { token });
  expect(settings.status).toBe(200);
  const hooks = await server.call("GET", "/api/hooks", undefined, { token });
  expect(hooks.status).toBe(200);
  const { usage: _usage, ...settingsWithoutUsage } = settings.body;
  void _usage;
  expect(logs.status).toBe(200);
  expect(projects.status).toBe(200);
  const tasks: Record<string, string[]> = {};
  for (const p of projects.body as { id: string; name: string }[]) {
    const res = await server.call("GET", `/api/projects/${p.id}/tasks`, undefined, { token });
    tasks[p.name] = (res.body as { name: string }[]).map((t) => t.name);
  }
  return {
    total: logs.body.total,
    logs: (logs.body.executions as { id: string; projectName: string; humanDecision: string | null }[]).map((l) => ({
      id: l.id,
      projectName: l.projectName,
      humanDecision: l.humanDecision,
    })),
    projects: (projects.body as { name: string; icon: string | null; executionCount: number }[]).map((p) => ({
      name: p.name,
      icon: p.icon,
      executionCount: p.executionCount,
    })),
    tasks,
    rules: rules.body,
    settings: settingsWithoutUsage,
    hooks: hooks.body,
    // Spans and evaluations of the seeded traces (a 404 for the workspaces that do not hold them).
    traces: await Promise.all(
      [SEEDED_LOG_ID, ids.foreignLog].map(async (id) => {
        const res = await server.call("GET", `/api/traces/${id}`, undefined, { token });
        return { status: res.status, spans: res.body.spans, evaluations: res.body.evaluations };
      }),
    ),
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ DATABASE_URL: db.url });
  // Targets that exist, so validation is what refuses the request (not a 404).
  const alpha = await server.call("POST", "/api/projects", { name: "alpha" });
  const beta = await server.call("POST", "/api/projects", { name: "beta" });
  const task = await server.call("POST", `/api/projects/${alpha.body.id}/tasks`, { name: "seeded-task" });
  const log = await server.call("POST", "/api/logs", { id: SEEDED_LOG_ID, project: "alpha", task: "seeded-task", output: "seeded" });
  const other = await server.newWorkspace("Someone else");
  const foreign = await server.call("POST", "/api/projects", { name: "theirs" }, { token: other });
  const foreignLog = await server.call("POST", "/api/logs", { project: "theirs", output: "theirs", spans: [SPAN] }, { token: other });
  expect(foreignLog.status).toBe(200);
  // Evaluated before the snapshots, so its rule evaluations are in both.
  await waitForFinal(server.call, SEEDED_LOG_ID);
  await waitForFinal((m, p, b, o) => server.call(m, p, b, { ...o, token: other }), foreignLog.body.id);
  const seededRule = await server.call("POST", "/api/rules", RULE);
  const foreignRule = await server.call("POST", "/api/rules", RULE, { token: other });
  for (const res of [alpha, beta, task, foreign, seededRule, foreignRule]) expect(res.status).toBe(201);
  expect(log.status).toBe(200);
  Object.assign(ids, {
    alpha: alpha.body.id,
    beta: beta.body.id,
    log: log.body.id,
    foreign: foreign.body.id,
    rule: seededRule.body.id,
    foreignRule: foreignRule.body.id,
    foreignLog: foreignLog.body.id,
  });
  // The 413 cases are sized for the default TRACIRA_MAX_BODY_BYTES.
  expect(server.running.deps.config.maxBodyBytes).toBe(MAX_BODY);

  const ingestCount = cases.filter((c) => c.method === "POST" && c.path === "/api/logs").length;
  for (let i = 0; i < Math.ceil(ingestCount / INGEST_PER_WORKSPACE); i++) ingestTokens.push(await server.newWorkspace(`Ingest ${i}`));
  before = [];
  for (const token of [server.token, other, ...ingestTokens]) before.push({ token, snapshot: await snapshot(token) });
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

let ingestSent = 0;

async function send(c: Case): Promise<{ status: number; text: string; contentType: string | null }> {
  const headers: Record<string, string> = {};
  const isIngest = c.method === "POST" && c.path === "/api/logs";
  const token = isIngest ? ingestTokens[Math.floor(ingestSent++ / INGEST_PER_WORKSPACE)] : server.token;
  if (c.auth === undefined) headers.authorization = `Bearer ${token}`;
  else if (c.auth !== null) headers.authorization = c.auth;
  let body: RequestInit["body"];
  if (c.raw !== undefined) {
    body = typeof c.raw === "function" ? c.raw() : (c.raw as RequestInit["body"]);
    headers["content-type"] = "application/json";
  } else if (c.body !== undefined) {
    body = JSON.stringify(c.body).replace(/"\{(\w+)\}"/g, (whole, key: string) => (ids[key] ? JSON.stringify(ids[key]) : whole));
    headers["content-type"] = "application/json";
  }
  Object.assign(headers, c.headers);
  const path = c.path.replace(/\{(\w+)\}/g, (_, key: string) => ids[key] ?? `{${key}}`);
  const init: RequestInit & { duplex?: "half" } = { method: c.method, headers, body };
  if (typeof c.raw === "function") init.duplex = "half";
  const res = await fetch(server.url + path, init);
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type") };
}

const STACK_TRACE = /\n\s+at |\bat \S+ \(|node_modules|\.(?:ts|js):\d+:\d+|\/work\//;

test(`the batch has at least 200 hostile requests (${cases.length}), 150 of them on the trace routes (${traceCases.length})`, () => {
  expect(cases.length).toBeGreaterThanOrEqual(200);
  expect(traceCases.length).toBeGreaterThanOrEqual(150);
  expect(new Set(cases.map((c) => `${c.method} ${c.name}`)).size).toBe(cases.length);
});

test.each(cases.map((c, i) => [`#${i + 1} ${c.method} ${c.name}`, c] as const))("%s", async (_label, c) => {
  const res = await send(c);
  const expected = c.expectStatus ?? 400;
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = res.text;
  }
  // Status first, with the body in the message when it is wrong.
  expect({ status: res.status, body }).toEqual({ status: expected, body: expect.anything() });
  expect(res.contentType).toMatch(/^application\/json/);
  expect(STACK_TRACE.test(res.text)).toBe(false);

  const error = body as { error: unknown; code: unknown; fields?: unknown };
  expect(typeof error).toBe("object");
  expect(Object.keys(error).filter((k) => !["error", "code", "fields"].includes(k))).toEqual([]);
  expect(typeof error.error).toBe("string");
  expect((error.error as string).trim().length).toBeGreaterThan(0);
  expect(ERROR_CODES).toContain(error.code);
  expect(ERROR_STATUS[error.code as ErrorCode]).toBe(res.status);
  if (STATUS_CODE[expected]) expect(error.code).toBe(STATUS_CODE[expected]);

  if (error.fields !== undefined) {
    expect(error.fields).toEqual(expect.any(Object));
    expect(Array.isArray(error.fields)).toBe(false);
    for (const [key, why] of Object.entries(error.fields as Record<string, unknown>)) {
      expect(typeof key).toBe("string");
      expect(typeof why).toBe("string");
      expect((why as string).length).toBeGreaterThan(0);
    }
  }
  if (error.code === "invalid_request") {
    expect(error.fields).toBeDefined();
    const keys = Object.keys(error.fields as Record<string, string>);
    expect(keys.length).toBeGreaterThan(0);
    if (c.field) {
      const named = keys.some((k) => k === c.field || k.startsWith(`${c.field}.`));
      expect({ field: c.field, named, fields: error.fields }).toEqual({ field: c.field, named: true, fields: error.fields });
    }
  } else if (error.code !== "conflict") {
    expect(error.fields).toBeUndefined();
  }
});

test("nothing was half-written, and no prototype was polluted", async () => {
  for (const { token, snapshot: was } of before) expect(await snapshot(token)).toEqual(was);
  expect(ingestSent).toBe(cases.filter((c) => c.method === "POST" && c.path === "/api/logs").length);
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");
  expect(Object.prototype).not.toHaveProperty("project");
  // The server still answers normally after the batch.
  const ok = await server.call("GET", "/api/verify");
  expect(ok.status).toBe(200);
});
