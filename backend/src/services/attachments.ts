import { randomBytes } from "node:crypto";
import { pipeline, Readable } from "node:stream";
import zlib from "node:zlib";
import { LIMITS, type CreateLogInput, type StoredAttachment } from "@tracira/shared";
import type { PrismaClient } from "../db/database";
import type { SqlClient } from "../db/sql";
import { Prisma } from "../generated/prisma/client";
import { ApiError } from "../lib/api-error";
import type { Logger } from "../logger";
import { buildMediaKey } from "../media/media-keys";
import { MediaKeyTakenError, MediaTooLargeError, type MediaMeta, type MediaStorage } from "../media/storage";
import { guardedRequest, OutboundTimeoutError, OutboundUrlError, type UrlGuard } from "../outbound";
import { checkOutboundUrl } from "./outbound-check";

export type AttachmentInput = NonNullable<CreateLogInput["attachments"]>[number];

/** Waiting for a URL attachment's response headers, and for the whole download. */
const FETCH_HEADERS_TIMEOUT_MS = 10_000;
const FETCH_TOTAL_TIMEOUT_MS = 30_000;
/** Tries of a key before giving up (the plain key, then with a random suffix when it is taken). */
const KEY_ATTEMPTS = 3;

const MB = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * Stores a log's attachments during ingestion: `{ url }` is fetched through the outbound guard and
 * streamed into storage, `{ upload }` is decoded from base64; each at most `maxBytes` (10 MB). A
 * failure removes whatever the call already stored, so a refused log leaves no file behind.
 */
export class AttachmentService {
  constructor(
    readonly storage: MediaStorage,
    private readonly guard: UrlGuard,
    private readonly sql: SqlClient,
    private readonly logger: Logger,
    private readonly maxBytes: number = LIMITS.attachmentBytes,
    private readonly maxWorkspaceBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** Bytes of attachments a workspace's logs hold (read at most once a minute per workspace; this process's stores are added). */
  private readonly usage = new Map<string, { at: number; bytes: Promise<number> }>();

  private async storedBytes(workspaceId: string): Promise<number> {
    const hit = this.usage.get(workspaceId);
    if (hit && Date.now() - hit.at < 60_000) return hit.bytes;
    const bytes = this.sql
      .query<{ bytes: string | number }>(
        `SELECT coalesce(sum((a->>'size')::bigint), 0) AS bytes
         FROM logs l, jsonb_array_elements(l.attachments) a
         WHERE l.workspace_id = $1::uuid AND l.attachments IS NOT NULL`,
        [workspaceId],
      )
      .then((rows) => Number(rows[0]?.bytes ?? 0));
    bytes.catch(() => this.usage.delete(workspaceId));
    this.usage.set(workspaceId, { at: Date.now(), bytes });
    return bytes;
  }

  /**
   * Stores every attachment of log `logId`, in order. Every URL is checked before anything is fetched;
   * any failure removes what this call stored and rejects with an ApiError naming `attachments[N]`.
   */
  async storeAll(workspaceId: string, logId: string, attachments: readonly AttachmentInput[]): Promise<StoredAttachment[]> {
    for (const [index, attachment] of attachments.entries()) {
      if ("url" in attachment) await checkOutboundUrl(this.guard, attachment.url, fieldOf(index));
    }
    if (Number.isFinite(this.maxWorkspaceBytes)) {
      const used = await this.storedBytes(workspaceId);
      if (used >= this.maxWorkspaceBytes) {
        throw ApiError.conflict(
          `This workspace's logs hold ${MB(used)} of attachments, the most this server allows (TRACIRA_MAX_ATTACHMENT_MB_PER_WORKSPACE=${Math.round(this.maxWorkspaceBytes / 1048576)}): delete old logs with attachments, or send links in metadata instead.`,
          { attachments: "the workspace's attachment storage is full" },
        );
      }
    }
    const stored: StoredAttachment[] = [];
    try {
      for (const [index, attachment] of attachments.entries()) stored.push(await this.storeOne(workspaceId, logId, index, attachment));
      const cached = this.usage.get(workspaceId);
      if (cached) {
        const added = stored.reduce((sum, a) => sum + a.size, 0);
        this.usage.set(workspaceId, { at: cached.at, bytes: cached.bytes.then((b) => b + added) });
      }
      return stored;
    } catch (err) {
      await this.remove(stored);
      throw err;
    }
  }

  /** Removes stored attachments' files; a failure is logged, never thrown (it must not hide the caller's error). */
  async remove(attachments: readonly Pick<StoredAttachment, "key">[]): Promise<void> {
    if (attachments.length === 0) return;
    await this.storage.remove(attachments.map((a) => a.key)).catch((err: unknown) => {
      this.logger.error("could not remove stored attachments", {
        keys: attachments.map((a) => a.key),
        error: err instanceof Error ? err.message : String(err),
      });
    });
  }

  /** Whether `key` is an attachment of a log of this workspace that still exists. */
  /**
   * The files of the logs `where` selects, read before those logs are deleted and removed (`remove`)
   * after the delete commits: a delete that fails or rolls back leaves every file its log still lists.
   */
  async filesOf(db: Pick<PrismaClient, "log">, where: Prisma.LogWhereInput): Promise<StoredAttachment[]> {
    const logs = await db.log.findMany({
      where: { ...where, NOT: { attachments: { equals: Prisma.DbNull } } },
      select: { attachments: true },
    });
    return logs.flatMap((log) => (Array.isArray(log.attachments) ? (log.attachments as unknown as StoredAttachment[]) : []));
  }

  async isAttached(workspaceId: string, logId: string, key: string): Promise<boolean> {
    const rows = await this.sql.query(`SELECT 1 FROM logs WHERE id = $1 AND workspace_id = $2::uuid AND attachments @> $3::jsonb`, [
      logId,
      workspaceId,
      JSON.stringify([{ key }]),
    ]);
    return rows.length > 0;
  }

  private async storeOne(workspaceId: string, logId: string, index: number, attachment: AttachmentInput): Promise<StoredAttachment> {
    const field = fieldOf(index);
    if ("upload" in attachment) {
      const bytes = decodeUpload(attachment.upload, field, this.maxBytes);
      const meta = { filename: cleanFilename(attachment.filename) ?? "file", contentType: cleanContentType(attachment.contentType) };
      return this.put(workspaceId, logId, index, field, async () => ({ stream: Readable.from([bytes]), meta }));
    }
    const stored = await this.put(workspaceId, logId, index, field, () => this.download(attachment.url, field));
    return { ...stored, sourceUrl: attachment.url };
  }

  /**
   * Puts one file under the log's key for it; when the key already holds a file (the same caller id
   * sent twice at once, or files left by an earlier attempt that failed) under a name with a random
   * suffix, so a stored file is never replaced.
   */
  private async put(
    workspaceId: string,
    logId: string,
    index: number,
    field: string,
    open: () => Promise<{ stream: Readable; meta: MediaMeta }>,
  ): Promise<StoredAttachment> {
    for (let attempt = 0; ; attempt++) {
      const { stream, meta } = await open();
      const key = buildMediaKey(workspaceId, logId, index, meta.filename, attempt ? randomBytes(4).toString("hex") : undefined);
      try {
        const { size, sha256 } = await this.storage.put(key, stream, meta, this.maxBytes);
        return { key, filename: meta.filename, contentType: meta.contentType, size, sha256 };
      } catch (err) {
        stream.destroy();
        if (err instanceof MediaKeyTakenError && attempt + 1 < KEY_ATTEMPTS) continue;
        throw toAttachmentError(err, field, this.maxBytes);
      }
    }
  }

  /** GETs a URL attachment through the guard; answers its body stream (decompressed) and what to store it as. */
  private async download(url: string, field: string): Promise<{ stream: Readable; meta: MediaMeta }> {
    const signal = AbortSignal.timeout(FETCH_TOTAL_TIMEOUT_MS);
    let res;
    try {
      res = await guardedRequest(this.guard, url, {
        method: "GET",
        headers: { accept: "*/*", "accept-encoding": "gzip, deflate, br", "user-agent": "Tracira (attachment fetch)" },
        timeoutMs: FETCH_HEADERS_TIMEOUT_MS,
        maxRedirects: 5,
        signal,
      });
    } catch (err) {
      throw toAttachmentError(err, field, this.maxBytes, url);
    }
    if (res.status < 200 || res.status >= 300) {
      res.body.destroy();
      throw ApiError.invalid(
        `${field}: ${shortUrl(url)} answered HTTP ${res.status}; the file must be downloadable with a plain GET, without signing in.`,
        { [field]: `the URL answered HTTP ${res.status}` },
      );
    }
    const encoding = String(res.headers["content-encoding"] ?? "identity")
      .trim()
      .toLowerCase();
    const length = Number(res.headers["content-length"]);
    if ((encoding === "identity" || encoding === "") && Number.isFinite(length) && length > this.maxBytes) {
      res.body.destroy();
      throw tooLarge(field, this.maxBytes);
    }
    const decoder = decoderFor(encoding);
    if (decoder === null) {
      res.body.destroy();
      throw ApiError.invalid(
        `${field}: ${shortUrl(url)} answered with Content-Encoding "${encoding.slice(0, 40)}", which Tracira cannot read.`,
        {
          [field]: "unsupported Content-Encoding",
        },
      );
    }
    const stream = decoder ? (pipeline(res.body, decoder, () => undefined) as Readable) : res.body;
    const filename =
      filenameFromDisposition(header(res.headers["content-disposition"])) ?? filenameFromUrl(res.url) ?? filenameFromUrl(url) ?? "file";
    return { stream, meta: { filename, contentType: cleanContentType(header(res.headers["content-type"])) } };
  }
}

const fieldOf = (index: number) => `attachments[${index}]`;

const tooLarge = (field: string, maxBytes: number) =>
  new ApiError(
    "payload_too_large",
    `${field} is larger than ${MB(maxBytes)} (${maxBytes} bytes), the limit per attachment. Send a smaller file or a link to it in metadata.`,
    { [field]: `larger than ${MB(maxBytes)}` },
  );

/** Network trouble while fetching (as opposed to a local failure, which stays a 500). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPROTO",
  "ERR_STREAM_PREMATURE_CLOSE",
  "HPE_INVALID_CONSTANT",
  "HPE_INVALID_CHUNK_SIZE",
  "HPE_UNEXPECTED_CONTENT_LENGTH",
  "UND_ERR_SOCKET",
]);

function toAttachmentError(err: unknown, field: string, maxBytes: number, url?: string): unknown {
  if (err instanceof ApiError) return err;
  if (err instanceof MediaTooLargeError) return tooLarge(field, maxBytes);
  const where = url ? `${shortUrl(url)} ` : "the URL ";
  if (err instanceof OutboundUrlError) {
    return ApiError.invalid(`${field}: ${err.message}`, { [field]: err.message });
  }
  const name = (err as Error)?.name;
  if (err instanceof OutboundTimeoutError || name === "TimeoutError" || name === "AbortError") {
    return ApiError.invalid(`${field}: ${where}did not send the file in time (${FETCH_TOTAL_TIMEOUT_MS / 1000} s at most).`, {
      [field]: "the download timed out",
    });
  }
  const code = (err as NodeJS.ErrnoException)?.code ?? "";
  if (NETWORK_CODES.has(code) || code.startsWith("Z_") || code.startsWith("ERR_TLS") || /CERT|SSL/.test(code)) {
    return ApiError.invalid(`${field}: ${where}could not be downloaded (${code}).`, { [field]: `could not be downloaded (${code})` });
  }
  return err;
}

/** `undefined`: no decoding needed; `null`: an encoding Tracira cannot read. */
function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null | undefined {
  switch (encoding) {
    case "":
    case "identity":
      return undefined;
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip();
    case "deflate":
      return zlib.createInflate();
    case "br":
      return zlib.createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * Base64 (standard or URL-safe, padding optional, line breaks allowed, an optional `data:…;base64,`
 * prefix) to bytes. The size is checked before decoding: past `maxBytes` it is a 413.
 */
export function decodeUpload(text: string, field: string, maxBytes: number): Buffer {
  const prefix = /^data:[^,]{0,200};base64,/i.exec(text.slice(0, 256));
  const data = (prefix ? text.slice(prefix[0].length) : text).replace(/\s+/g, "");
  const unpadded = data.replace(/={1,2}$/, "");
  const valid =
    unpadded.length > 0 && /^[A-Za-z0-9+/_-]*$/.test(unpadded) && unpadded.length % 4 !== 1 && (data === unpadded || data.length % 4 === 0);
  if (!valid) {
    throw ApiError.invalid(`${field}: upload is not valid base64; send the file's bytes base64-encoded (A–Z, a–z, 0–9, +, /, =).`, {
      [field]: "upload is not valid base64",
    });
  }
  if (Math.floor((unpadded.length * 3) / 4) > maxBytes) throw tooLarge(field, maxBytes);
  return Buffer.from(unpadded, "base64");
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const MIME =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;

/** A well-formed media type, else `application/octet-stream` (it is served back as a header). */
export function cleanContentType(value: string | undefined): string {
  const text = value?.trim() ?? "";
  return text.length <= 255 && MIME.test(text) ? text : "application/octet-stream";
}

/** The last path part of a name, without control characters; undefined when nothing is left. */
export function cleanFilename(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base =
    name
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, "")
      .split(/[/\\]/)
      .pop()
      ?.trim() ?? "";
  if (!base || base === "." || base === "..") return undefined;
  return [...base].slice(0, 255).join("");
}

/** `filename*=UTF-8''…` (RFC 6266/8187) wins over `filename="…"`. */
export function filenameFromDisposition(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^;]+)/i.exec(value);
  if (extended?.[1]) {
    const match = /^\s*[A-Za-z0-9!#$%&+^_`{}~-]*'[^']*'(.*?)\s*$/.exec(extended[1]);
    if (match) {
      try {
        const name = cleanFilename(decodeURIComponent(match[1] ?? ""));
        if (name) return name;
      } catch {
        // a broken encoding: fall back to the plain filename
      }
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(value);
  if (!plain) return undefined;
  return cleanFilename(plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2]);
}

function filenameFromUrl(url: string): string | undefined {
  try {
    const last = new URL(url).pathname.split("/").pop() ?? "";
    try {
      return cleanFilename(decodeURIComponent(last));
    } catch {
      return cleanFilename(last);
    }
  } catch {
    return undefined;
  }
}

/** A URL as errors show it: no query (it may carry a token), at most 120 characters. */
function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const text = `${parsed.origin}${parsed.pathname}`;
    return text.length > 120 ? `${text.slice(0, 117)}…` : text;
  } catch {
    return "the URL";
  }
}
