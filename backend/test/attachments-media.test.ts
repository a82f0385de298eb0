/**
 * Attachments on POST /api/logs and GET /api/media/:key: stored through the one storage interface (a
 * local folder), fetched through the outbound guard, capped at 10 MB (413, nothing half-written), and
 * served back byte-identical through short-lived signed links.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { LIMITS, LogDetail } from "@tracira/shared";
import { Client } from "pg";
import { LocalMediaStorage } from "../src/media/local-storage";
import { buildMediaKey, encodeLogId, parseMediaKey } from "../src/media/media-keys";
import { InvalidMediaKeyError, MediaTooLargeError } from "../src/media/storage";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";
import { callerFor, startTestServer, startTestServerOn, type Call, type TestServer } from "./helpers/server";

jest.setTimeout(60_000);

const MB = 1024 * 1024;
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const tempDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tracira-${name}-`));

/** Every file under a folder, dot files included. */
function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

// ---------------------------------------------------------------- a file server for URL attachments

interface FileServer {
  url: string;
  /** Requests received, by path. */
  hits: Map<string, number>;
  files: Map<string, { body: Buffer; contentType: string }>;
  close(): Promise<void>;
}

/** Writes `total` bytes in 64 KB chunks without Content-Length (chunked), stopping when the client goes. */
function pump(res: http.ServerResponse, total: number, byte = 0x61): void {
  const chunk = Buffer.alloc(64 * 1024, byte);
  let sent = 0;
  res.on("error", () => undefined);
  const next = () => {
    while (sent < total && !res.destroyed) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!res.write(chunk.subarray(0, n))) return void res.once("drain", next);
    }
    if (!res.destroyed) res.end();
  };
  next();
}

async function startFileServer(): Promise<FileServer> {
  const hits = new Map<string, number>();
  const files = new Map<string, { body: Buffer; contentType: string }>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://files");
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const [, kind, name = ""] = url.pathname.split("/");
    const file = files.get(decodeURIComponent(name));
    const send = () => {
      if (!file) {
        res.writeHead(404, { "content-type": "text/plain" }).end("no such file");
        return;
      }
      if (kind === "gzip") {
        res.writeHead(200, { "content-type": file.contentType, "content-encoding": "gzip" }).end(gzipSync(file.body));
        return;
      }
      const headers: Record<string, string> = { "content-type": file.contentType };
      if (kind === "named")
        headers["content-disposition"] = `attachment; filename="fallback.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.txt`;
      // Chunked: several writes and no Content-Length.
      res.writeHead(200, headers);
      let at = 0;
      const step = () => {
        if (at >= file.body.length) return void res.end();
        res.write(file.body.subarray(at, (at += 100_000)));
        setImmediate(step);
      };
      step();
    };
    switch (kind) {
      case "huge-chunked":
        res.writeHead(200, { "content-type": "application/octet-stream" });
        return pump(res, 11 * MB);
      case "huge-length":
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(11 * MB) });
        return pump(res, 11 * MB);
      case "exact":
        res.writeHead(200, { "content-type": "application/octet-stream" });
        return pump(res, LIMITS.attachmentBytes, 0x62);
      case "slow":
        return void setTimeout(send, 300);
      default:
        return send();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    files,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------- the suite

let db: TestDatabase;
let server: TestServer;
let call: Call;
let pg: Client;
let files: FileServer;
let mediaDir: string;
let workspaceId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  mediaDir = tempDir("media");
  server = await startTestServer({ DATABASE_URL: db.url, TRACIRA_MEDIA_DIR: mediaDir, TRACIRA_WORKER: "false" });
  call = server.call;
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  files = await startFileServer();
  workspaceId = (await pg.query(`SELECT id FROM workspaces ORDER BY created_at LIMIT 1`)).rows[0].id;
});
afterAll(async () => {
  await files?.close();
  await pg?.end();
  await server?.close();
  await db?.drop();
  if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
});

const post = (body: Record<string, unknown>, caller = call) =>
  caller("POST", "/api/logs", { project: "attachments", output: "x", ...body });
const upload = (bytes: Buffer, filename = "file.bin", contentType = "application/octet-stream") => ({
  upload: bytes.toString("base64"),
  filename,
  contentType,
});
const getLog = async (id: string, caller = call) => {
  const res = await caller("GET", `/api/logs/${encodeURIComponent(id)}`);
  expect(res.status).toBe(200);
  return LogDetail.parse(res.body);
};
const logCount = async (id: string) => (await pg.query(`SELECT count(*)::int AS n FROM logs WHERE id = $1`, [id])).rows[0].n as number;
/** The files stored for a log (any workspace), temporary ones included. */
const filesOfLog = (id: string, dir = mediaDir) => walk(dir).filter((f) => f.split(path.sep).includes(encodeLogId(id)));
const tempFiles = (dir = mediaDir) => walk(dir).filter((f) => path.basename(f).startsWith(".tmp-"));

/** GET without following redirects. */
const media = (urlPath: string, headers: Record<string, string> = { "x-api-key": server.token }, base = server.url) =>
  fetch(base + urlPath, { headers, redirect: "manual" });

/**
 * GET on a connection of its own that closes after the answer. (A kept-alive connection that streamed
 * a file can still count as busy when the test server closes right after, which then waits for the
 * keep-alive timeout.)
 */
function fetchFile(url: string): Promise<{ status: number; headers: Headers; bytes: Buffer; json: () => unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { connection: "close" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") headers.set(name, value);
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers, bytes, json: () => JSON.parse(bytes.toString()) });
        });
      })
      .on("error", reject);
  });
}

/** GET /api/media/… then the signed link it redirects to; answers the link and the file response. */
async function download(urlPath: string, base = server.url, token = server.token) {
  const redirect = await media(urlPath, { "x-api-key": token }, base);
  expect(redirect.status).toBe(302);
  const location = redirect.headers.get("location") ?? "";
  expect(location).toMatch(/^\/api\/media-files\/.+\?expires=\d+(&download=1)?&signature=[0-9a-f]{64}$/);
  const file = await fetchFile(base + location);
  return { location, file, bytes: file.bytes };
}

/** A 413 or 400 left nothing behind: no log row, no file of the log, no temporary file. */
async function expectNothingStored(id: string) {
  expect((await call("GET", `/api/logs/${encodeURIComponent(id)}`)).status).toBe(404);
  expect(await logCount(id)).toBe(0);
  expect(filesOfLog(id)).toEqual([]);
  expect(tempFiles()).toEqual([]);
}

describe("uploads (base64)", () => {
  test("a 3 MB upload is stored, listed on the log, and served back byte-identical through the signed link", async () => {
    const bytes = randomBytes(3 * MB);
    const res = await post({ id: "att-upload-1", attachments: [upload(bytes, "Rapport été 2024.pdf", "application/pdf")] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, id: "att-upload-1", status: "pending" });

    const log = await getLog("att-upload-1");
    const key = `${workspaceId}/att-upload-1/0-Rapport-ete-2024.pdf`;
    expect(log.attachments).toEqual([
      {
        key,
        filename: "Rapport été 2024.pdf",
        contentType: "application/pdf",
        size: bytes.length,
        sha256: sha256(bytes),
        url: `/api/media/${workspaceId}/att-upload-1/0-Rapport-ete-2024.pdf`,
      },
    ]);
    // Durably on disk under workspaceId/logId/N-filename, and nothing temporary left.
    expect(sha256(fs.readFileSync(path.join(mediaDir, ...key.split("/"))))).toBe(sha256(bytes));
    expect(tempFiles()).toEqual([]);

    // x-api-key, inline.
    const inline = await download(log.attachments[0]!.url);
    expect(inline.file.status).toBe(200);
    expect(sha256(inline.bytes)).toBe(sha256(bytes));
    expect(inline.file.headers.get("content-type")).toBe("application/pdf");
    expect(inline.file.headers.get("content-length")).toBe(String(bytes.length));
    expect(inline.file.headers.get("content-disposition")).toBe(
      `inline; filename="Rapport _t_ 2024.pdf"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9%202024.pdf`,
    );
    expect(inline.file.headers.get("x-content-type-options")).toBe("nosniff");
    expect(inline.file.headers.get("content-security-policy")).toBe("sandbox");
    expect(inline.file.headers.get("cache-control")).toMatch(/^private, max-age=(29\d|300)$/);

    // Bearer, as a download.
    const bearer = await media(`${log.attachments[0]!.url}?download=1`, { authorization: `Bearer ${server.token}` });
    expect(bearer.status).toBe(302);
    expect(bearer.headers.get("cache-control")).toBe("no-store");
    const attached = await fetchFile(server.url + bearer.headers.get("location"));
    expect(attached.status).toBe(200);
    expect(attached.headers.get("content-disposition")).toMatch(/^attachment; /);
    expect(sha256(attached.bytes)).toBe(sha256(bytes));

    // The key as the log lists it works as the path too.
    expect((await media(`/api/media/${key}`)).status).toBe(302);
  });

  test("line breaks and a data: URL prefix are accepted; a text content type is served as sent", async () => {
    const text = Buffer.from("hello, attachment\n".repeat(50));
    const b64 = text.toString("base64").replace(/(.{76})/g, "$1\r\n");
    const res = await post({
      id: "att-upload-mime",
      attachments: [{ upload: `data:text/plain;base64,${b64}`, filename: "notes.txt", contentType: "text/plain; charset=utf-8" }],
    });
    expect(res.status).toBe(200);
    const [attachment] = (await getLog("att-upload-mime")).attachments;
    const { file, bytes } = await download(attachment!.url);
    expect(bytes.equals(text)).toBe(true);
    expect(file.headers.get("content-type")).toBe("text/plain; charset=utf-8");
  });

  test("a caller id with dots and colons (even `..`) stays inside the media folder and is served", async () => {
    for (const id of ["..", "order:42.v1"]) {
      const bytes = randomBytes(1000);
      expect((await post({ id, attachments: [upload(bytes, "../../etc/passwd")] })).status).toBe(200);
      // From the row: URL clients resolve a `..` path segment before sending, so GET /api/logs/.. cannot name it.
      const [attachment] = (await pg.query(`SELECT attachments FROM logs WHERE id = $1`, [id])).rows[0].attachments as {
        key: string;
        filename: string;
      }[];
      expect(attachment!.key).toBe(`${workspaceId}/${encodeLogId(id)}/0-passwd`);
      expect(attachment!.filename).toBe("passwd");
      expect(filesOfLog(id).every((f) => f.startsWith(mediaDir + path.sep))).toBe(true);
      expect(filesOfLog(id).length).toBe(2); // the file and its metadata
      const url = `/api/media/${attachment!.key.split("/").map(encodeURIComponent).join("/")}`;
      expect(sha256((await download(url)).bytes)).toBe(sha256(bytes));
    }
  });

  test("invalid base64 is a 400 naming the attachment; nothing is stored", async () => {
    const res = await post({
      id: "att-bad-base64",
      attachments: [{ upload: "not base64!!", filename: "a.txt", contentType: "text/plain" }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", fields: { "attachments[0]": expect.stringMatching(/base64/) } });
    await expectNothingStored("att-bad-base64");
  });

  test("sync: true stores the attachment and answers the verdict", async () => {
    const res = await post({ id: "att-sync", sync: true, attachments: [upload(Buffer.from("sync"), "s.txt", "text/plain")] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, id: "att-sync", status: "pass" });
    expect((await getLog("att-sync")).attachments).toHaveLength(1);
  });
});

describe("URL attachments", () => {
  test("a chunked response (no Content-Length) is stored byte-identical, named from the URL path", async () => {
    const bytes = randomBytes(1.5 * MB);
    files.files.set("photo one.png", { body: bytes, contentType: "image/png" });
    const url = `${files.url}/files/photo%20one.png?token=secret`;
    const res = await post({ id: "att-url-1", attachments: [{ url }] });
    expect(res.status).toBe(200);
    const [attachment] = (await getLog("att-url-1")).attachments;
    expect(attachment).toMatchObject({
      key: `${workspaceId}/att-url-1/0-photo-one.png`,
      filename: "photo one.png",
      contentType: "image/png",
      size: bytes.length,
      sha256: sha256(bytes),
      sourceUrl: url,
    });
    const { file, bytes: served } = await download(attachment!.url);
    expect(sha256(served)).toBe(sha256(bytes));
    expect(file.headers.get("content-type")).toBe("image/png");
  });

  test("the name comes from Content-Disposition (filename*) when the server sends one; gzip is decoded", async () => {
    files.files.set("doc", { body: Buffer.from("named by the header"), contentType: "text/plain" });
    const res = await post({ id: "att-url-named", attachments: [{ url: `${files.url}/named/doc` }, { url: `${files.url}/gzip/doc` }] });
    expect(res.status).toBe(200);
    const [named, gzipped] = (await getLog("att-url-named")).attachments;
    expect(named).toMatchObject({ filename: "résumé final.txt", key: `${workspaceId}/att-url-named/0-resume-final.txt` });
    expect(gzipped).toMatchObject({ filename: "doc", size: "named by the header".length });
    expect((await download(gzipped!.url)).bytes.toString()).toBe("named by the header");
  });

  test("a URL answering 404 is a 400 naming the attachment and the status; no log is left", async () => {
    const res = await post({ id: "att-url-404", attachments: [{ url: `${files.url}/files/nothing-here.pdf` }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: "invalid_request",
      error: expect.stringMatching(/^attachments\[0\]: .*HTTP 404/),
      fields: { "attachments[0]": "the URL answered HTTP 404" },
    });
    await expectNothingStored("att-url-404");
  });

  test("an unreachable URL is a 400 naming the attachment", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const res = await post({ id: "att-url-refused", attachments: [{ url: `http://127.0.0.1:${port}/x.pdf` }] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", fields: { "attachments[0]": expect.stringMatching(/ECONNREFUSED/) } });
    await expectNothingStored("att-url-refused");
  });

  test("exactly 10 MB is accepted", async () => {
    const res = await post({ id: "att-url-exact", attachments: [{ url: `${files.url}/exact/ten` }] });
    expect(res.status).toBe(200);
    expect((await getLog("att-url-exact")).attachments[0]).toMatchObject({ size: LIMITS.attachmentBytes });
  });
});

describe("over 10 MB: 413, and nothing half-written", () => {
  test("an upload of 10 MB + 1 byte decoded", async () => {
    const res = await post({ id: "att-big-upload", attachments: [upload(Buffer.alloc(LIMITS.attachmentBytes + 1, 7), "big.bin")] });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: expect.stringMatching(/^attachments\[0\] is larger than 10 MB/),
      code: "payload_too_large",
      fields: { "attachments[0]": "larger than 10 MB" },
    });
    await expectNothingStored("att-big-upload");
  });

  test("a URL streaming 11 MB without Content-Length", async () => {
    const res = await post({ id: "att-big-chunked", attachments: [{ url: `${files.url}/huge-chunked/x` }] });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: "payload_too_large", fields: { "attachments[0]": "larger than 10 MB" } });
    await expectNothingStored("att-big-chunked");
  });

  test("a URL announcing Content-Length: 11 MB", async () => {
    const res = await post({ id: "att-big-length", attachments: [{ url: `${files.url}/huge-length/x` }] });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: "payload_too_large", fields: { "attachments[0]": "larger than 10 MB" } });
    await expectNothingStored("att-big-length");
  });

  test("when the 2nd attachment fails, the 1st one's file is removed and no log is stored", async () => {
    const first = await post({
      id: "att-second-fails-400",
      attachments: [upload(randomBytes(1000), "first.bin"), { url: `${files.url}/files/missing.bin` }],
    });
    expect(first.status).toBe(400);
    expect(first.body.fields).toEqual({ "attachments[1]": "the URL answered HTTP 404" });
    await expectNothingStored("att-second-fails-400");

    files.files.set("ok.bin", { body: randomBytes(2000), contentType: "application/octet-stream" });
    const second = await post({
      id: "att-second-fails-413",
      attachments: [{ url: `${files.url}/files/ok.bin` }, upload(Buffer.alloc(LIMITS.attachmentBytes + 1), "big.bin")],
    });
    expect(second.status).toBe(413);
    expect(second.body.fields).toEqual({ "attachments[1]": "larger than 10 MB" });
    await expectNothingStored("att-second-fails-413");
  });

  test("a body over the general limit is accepted only for its uploads", async () => {
    // 3 MB of output text: over TRACIRA_MAX_BODY_BYTES (2 MiB), and not an upload.
    const res = await post({ id: "att-big-output", output: "x".repeat(3 * MB), attachments: [upload(Buffer.from("small"))] });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: expect.stringMatching(/larger than 2097152 bytes/), code: "payload_too_large" });
    await expectNothingStored("att-big-output");
  });
});

describe("signed links", () => {
  let inlineLink: string;
  let downloadLink: string;
  let otherLink: string;
  const expect403 = async (link: string, message: RegExp = /not valid/) => {
    const res = await fetchFile(server.url + link);
    expect(res.status).toBe(403);
    expect(res.json()).toEqual({ error: expect.stringMatching(message), code: "forbidden" });
  };

  beforeAll(async () => {
    const res = await post({
      id: "att-links",
      attachments: [upload(Buffer.from("first file"), "a.txt", "text/plain"), upload(Buffer.from("second"), "b.txt")],
    });
    expect(res.status).toBe(200);
    const [a, b] = (await getLog("att-links")).attachments;
    inlineLink = (await media(a!.url)).headers.get("location")!;
    downloadLink = (await media(`${a!.url}?download=1`)).headers.get("location")!;
    otherLink = (await media(b!.url)).headers.get("location")!;
    // The untouched links work.
    for (const link of [inlineLink, downloadLink, otherLink]) expect((await fetchFile(server.url + link)).status).toBe(200);
  });

  test("a tampered signature is refused", async () => {
    const signature = /signature=([0-9a-f]+)/.exec(inlineLink)![1]!;
    const flipped = signature.slice(0, -1) + (signature.endsWith("0") ? "1" : "0");
    await expect403(inlineLink.replace(signature, flipped));
    await expect403(inlineLink.replace(signature, signature.toUpperCase()));
    await expect403(inlineLink.replace(signature, signature.slice(0, 32)));
  });

  test("another file's key with this file's signature is refused", async () => {
    const otherPath = otherLink.split("?")[0]!;
    await expect403(`${otherPath}?${inlineLink.split("?")[1]}`);
  });

  test("flipping the download flag, or moving the expiry, is refused", async () => {
    await expect403(downloadLink.replace("&download=1", ""));
    await expect403(inlineLink.replace("&signature", "&download=1&signature"));
    await expect403(inlineLink.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 3600}`));
  });

  test("a missing signature or expiry is refused", async () => {
    await expect403(inlineLink.replace(/&signature=[0-9a-f]+/, ""));
    await expect403(inlineLink.replace(/expires=\d+&/, ""));
    await expect403(inlineLink.split("?")[0]!);
  });

  test("an expired link is refused with a sentence saying so", async () => {
    const dir = tempDir("media-ttl");
    const shortLived = await startTestServerOn("postgres", {
      TRACIRA_MEDIA_DIR: dir,
      TRACIRA_MEDIA_URL_TTL_SECONDS: "1",
      TRACIRA_WORKER: "false",
    });
    try {
      const res = await shortLived.call("POST", "/api/logs", {
        project: "p",
        output: "o",
        attachments: [upload(Buffer.from("soon gone"))],
      });
      expect(res.status).toBe(200);
      const [attachment] = LogDetail.parse((await shortLived.call("GET", `/api/logs/${res.body.id}`)).body).attachments;
      const fresh = await download(attachment!.url, shortLived.url, shortLived.token);
      expect(fresh.bytes.toString()).toBe("soon gone");
      await new Promise((r) => setTimeout(r, 2100));
      const late = await fetchFile(shortLived.url + fresh.location);
      expect(late.status).toBe(403);
      expect(late.json()).toEqual({ error: "This link has expired; open the attachment again from the log.", code: "forbidden" });
    } finally {
      await shortLived.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("GET /api/media/:key access", () => {
  let url: string;
  beforeAll(async () => {
    expect((await post({ id: "att-access", attachments: [upload(Buffer.from("private"), "p.txt")] })).status).toBe(200);
    url = (await getLog("att-access")).attachments[0]!.url;
  });

  test("another workspace's token gets the same 404 as a key that does not exist", async () => {
    const other = await server.newWorkspace("Attachment outsider");
    const theirs = await media(url, { "x-api-key": other });
    expect(theirs.status).toBe(404);
    const missing = await media(`/api/media/${workspaceId}/att-access/0-nothing.txt`);
    expect(missing.status).toBe(404);
    expect(await theirs.json()).toEqual(await missing.json());
    expect((await media(`/api/media/not-a-key`)).status).toBe(404);
    expect((await media(`/api/media/${workspaceId}/att-access/0-p.txt/extra`)).status).toBe(404);
  });

  test("no token is a 401", async () => {
    const res = await media(url, {});
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("unauthorized");
  });

  test("a deleted log's attachment is no longer handed out", async () => {
    expect((await post({ id: "att-deleted", attachments: [upload(Buffer.from("bye"), "bye.txt")] })).status).toBe(200);
    const gone = (await getLog("att-deleted")).attachments[0]!.url;
    expect((await media(gone)).status).toBe(302);
    expect(filesOfLog("att-deleted").length).toBeGreaterThan(0);
    expect((await call("DELETE", "/api/logs/att-deleted")).status).toBe(200);
    expect((await media(gone)).status).toBe(404);
    expect(filesOfLog("att-deleted")).toEqual([]);
  });

  test("deleting logs in bulk, a task, or a project removes their files too", async () => {
    const store = (id: string, project: string, task?: string) =>
      post({ id, project, ...(task && { task }), attachments: [upload(Buffer.from(id), `${id}.txt`)] });
    for (const [id, project, task] of [
      ["rm-bulk-1", "rm-a"],
      ["rm-bulk-2", "rm-a"],
      ["rm-task", "rm-b", "t1"],
      ["rm-keep", "rm-b", "t2"],
      ["rm-project", "rm-c"],
    ] as [string, string, string?][]) {
      expect((await store(id, project, task)).status).toBe(200);
      expect(filesOfLog(id).length).toBeGreaterThan(0);
    }
    expect((await call("PATCH", "/api/logs/bulk", { ids: ["rm-bulk-1", "rm-bulk-2"], action: "delete" })).body.count).toBe(2);
    const projects = (await call("GET", "/api/projects")).body as { id: string; name: string }[];
    const id = (name: string) => projects.find((p) => p.name === name)!.id;
    expect((await call("DELETE", `/api/projects/${id("rm-b")}/tasks?taskName=t1`)).status).toBe(200);
    expect((await call("DELETE", `/api/projects/${id("rm-c")}`)).status).toBe(200);
    for (const gone of ["rm-bulk-1", "rm-bulk-2", "rm-task", "rm-project"])
      expect({ gone, files: filesOfLog(gone) }).toEqual({ gone, files: [] });
    expect(filesOfLog("rm-keep").length).toBeGreaterThan(0);
  });
});

describe("idempotent ids", () => {
  test("the same id again answers the stored log and stores (and fetches) nothing again", async () => {
    files.files.set("once.txt", { body: Buffer.from("fetched once"), contentType: "text/plain" });
    const body = { id: "att-idem", attachments: [upload(Buffer.from("once")), { url: `${files.url}/files/once.txt` }] };
    expect((await post(body)).status).toBe(200);
    const before = filesOfLog("att-idem").sort();
    expect(before).toHaveLength(4); // two files and their metadata
    expect(files.hits.get("/files/once.txt")).toBe(1);
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ok: true, id: "att-idem", status: "pending" });
    expect(filesOfLog("att-idem").sort()).toEqual(before);
    expect(files.hits.get("/files/once.txt")).toBe(1);
    expect((await getLog("att-idem")).attachments).toHaveLength(2);
  });

  test("the same id sent twice at once stores one log, whose files all exist, and leaves no stray file", async () => {
    const bytes = randomBytes(200_000);
    files.files.set("race.bin", { body: bytes, contentType: "application/octet-stream" });
    const body = { id: "att-race", attachments: [{ url: `${files.url}/slow/race.bin` }] };
    const answers = await Promise.all([post(body), post(body), post(body)]);
    for (const res of answers) expect(res.body).toMatchObject({ ok: true, id: "att-race" });
    expect(await logCount("att-race")).toBe(1);
    const [attachment] = (await getLog("att-race")).attachments;
    expect(sha256((await download(attachment!.url)).bytes)).toBe(sha256(bytes));
    // Only the stored log's file and its metadata remain.
    expect(
      filesOfLog("att-race")
        .map((f) => path.basename(f))
        .sort(),
    ).toEqual([path.basename(attachment!.key), `.${path.basename(attachment!.key)}.json`].sort());
    expect(tempFiles()).toEqual([]);
  });
});

describe("the outbound guard (TRACIRA_ALLOW_PRIVATE_URLS=false)", () => {
  let guarded: TestServer;
  let guardedCall: Call;
  let dir: string;
  beforeAll(async () => {
    dir = tempDir("media-guarded");
    guarded = await startTestServerOn("postgres", { TRACIRA_ALLOW_PRIVATE_URLS: "false", TRACIRA_MEDIA_DIR: dir, TRACIRA_WORKER: "false" });
    guardedCall = callerFor(guarded.url, guarded.token);
  });
  afterAll(async () => {
    await guarded?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("an attachment URL on a private address is a 400 naming it; nothing is fetched or stored", async () => {
    files.files.set("secret.txt", { body: Buffer.from("internal"), contentType: "text/plain" });
    const cases = [
      [0, `${files.url}/files/secret.txt`],
      [1, "http://10.0.0.1/metadata"],
      [0, "http://169.254.169.254/latest/meta-data/"],
    ] as const;
    for (const [n, [index, url]] of cases.entries()) {
      const attachments = index === 0 ? [{ url }] : [upload(Buffer.from("fine")), { url }];
      const res = await guardedCall("POST", "/api/logs", { id: `guarded-${n}`, project: "p", output: "o", attachments });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: "invalid_request",
        fields: { [`attachments[${index}]`]: expect.stringMatching(/private network address/) },
      });
      expect(Object.keys(res.body.fields)).toEqual([`attachments[${index}]`]);
    }
    expect(files.hits.get("/files/secret.txt")).toBeUndefined();
    expect(walk(dir)).toEqual([]);
    expect((await guardedCall("GET", "/api/logs")).body.total).toBe(0);
  });

  test("a callbackUrl on a private address is a 400 on callbackUrl, before any attachment is stored", async () => {
    const res = await guardedCall("POST", "/api/logs", {
      project: "p",
      output: "o",
      callbackUrl: "http://10.0.0.1/",
      attachments: [upload(Buffer.from("would be stored"))],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "invalid_request", fields: { callbackUrl: expect.stringMatching(/private network address/) } });
    expect(walk(dir)).toEqual([]);
    expect((await guardedCall("GET", "/api/logs")).body.total).toBe(0);
  });
});

describe("on the embedded database (PGlite)", () => {
  test("an upload is stored and served back byte-identical", async () => {
    const embedded = await startTestServerOn("pglite", { TRACIRA_WORKER: "false" });
    try {
      const bytes = randomBytes(500_000);
      const res = await embedded.call("POST", "/api/logs", { project: "p", output: "o", attachments: [upload(bytes, "x.bin")] });
      expect(res.status).toBe(200);
      const [attachment] = LogDetail.parse((await embedded.call("GET", `/api/logs/${res.body.id}`)).body).attachments;
      expect(sha256((await download(attachment!.url, embedded.url, embedded.token)).bytes)).toBe(sha256(bytes));
    } finally {
      await embedded.close();
    }
  });
});

describe("the local storage itself", () => {
  let dir: string;
  let storage: LocalMediaStorage;
  const ws = "0b6f3c1e-6a4f-4c1b-9d2e-1f2a3b4c5d6e";
  beforeAll(() => {
    dir = tempDir("media-unit");
    storage = new LocalMediaStorage(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("refuses keys that are not media keys (no way out of the folder)", async () => {
    for (const key of [
      "../x",
      `${ws}/../../x`,
      `/etc/passwd`,
      `${ws}/log/.hidden`,
      `${ws}/log/0-a/b`,
      `${ws}/%2E%2E/0-x`.replace("%2E%2E", ".."),
      "",
    ]) {
      await expect(
        storage.put(key, Readable.from([Buffer.from("x")]), { contentType: "text/plain", filename: "x" }, 10),
      ).rejects.toBeInstanceOf(InvalidMediaKeyError);
      expect(await storage.open(key)).toBeUndefined();
    }
    expect(walk(dir)).toEqual([]);
  });

  test("past maxBytes the write is abandoned and nothing is visible; a stored file is never replaced", async () => {
    const key = buildMediaKey(ws, "log-1", 0, "a.bin");
    const big = Readable.from(
      (function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(1000, i);
      })(),
    );
    await expect(storage.put(key, big, { contentType: "application/octet-stream", filename: "a.bin" }, 5000)).rejects.toBeInstanceOf(
      MediaTooLargeError,
    );
    expect(walk(dir)).toEqual([]);
    expect(await storage.open(key)).toBeUndefined();

    await storage.put(key, Readable.from([Buffer.from("first")]), { contentType: "text/plain", filename: "a.bin" }, 5000);
    await expect(
      storage.put(key, Readable.from([Buffer.from("second")]), { contentType: "text/plain", filename: "a.bin" }, 5000),
    ).rejects.toThrow(/already stored/);
    const opened = await storage.open(key);
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("first");
    expect(opened!.meta).toMatchObject({ contentType: "text/plain", filename: "a.bin", size: 5 });

    await storage.remove([key]);
    expect(await storage.open(key)).toBeUndefined();
    expect(walk(dir)).toEqual([]);
  });

  test("keys parse back from their URL form", () => {
    const key = buildMediaKey(ws, "a:b.c", 3, "Ünïcode name?.tar.gz");
    expect(key).toBe(`${ws}/a%3Ab%2Ec/3-Unicode-name.tar.gz`);
    expect(parseMediaKey(key)).toEqual({ key, workspaceId: ws, logId: "a:b.c", index: 3 });
    // As a router hands it over after percent-decoding the path.
    expect(parseMediaKey([ws, "a:b.c", "3-Unicode-name.tar.gz"])?.key).toBe(key);
    expect(parseMediaKey(`${ws}/a/b/c`)).toBeUndefined();
  });
});
