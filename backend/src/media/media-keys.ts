/**
 * Media keys: `workspaceId/logId/N-filename`.
 *
 * - `workspaceId` is the owner: the media route serves a key only to its workspace.
 * - `logId` is percent-encoded: every character but `A-Z a-z 0-9 _ -` becomes `%XX`, so a caller id
 *   such as `..` or `a:b` is a plain, portable folder name (`%2E%2E`, `a%3Ab`).
 * - `N-filename` is the attachment's index and its name reduced to `A-Z a-z 0-9 . _ -` (the original
 *   name is kept in the file's metadata for downloads).
 *
 * A key in a URL path has each segment percent-encoded once more (`mediaPath`); `parseMediaKey` takes
 * either form back to the canonical key.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What a log id may contain (the caller id rule; server ids are UUIDs). */
const LOG_ID = /^[A-Za-z0-9._:~-]{1,200}$/;
const ENCODED_LOG_ID = /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/;
const FILE_SEGMENT = /^(\d{1,2})-[A-Za-z0-9][A-Za-z0-9._-]{0,160}$/;

export interface MediaKey {
  /** The canonical key. */
  key: string;
  workspaceId: string;
  logId: string;
  index: number;
}

export function encodeLogId(logId: string): string {
  return logId.replace(/[^A-Za-z0-9_-]/g, (ch) =>
    [...Buffer.from(ch, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

function decodeLogId(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  if (!ENCODED_LOG_ID.test(segment)) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** A file name reduced to `A-Z a-z 0-9 . _ -` (accents dropped), at most ~120 characters, never empty. */
export function safeFilename(name: string, unique?: string): string {
  const ascii = name.normalize("NFKD").replace(/\p{M}/gu, "");
  const dot = ascii.lastIndexOf(".");
  const rawBase = dot > 0 ? ascii.slice(0, dot) : ascii;
  const ext = (dot > 0 ? ascii.slice(dot + 1) : "").replace(/[^A-Za-z0-9]/g, "").slice(0, 16);
  let base =
    rawBase
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/-+(?=[._])|(?<=[._])-+/g, "")
      .replace(/-{2,}/g, "-")
      .replace(/^[._-]+/, "")
      .slice(0, 100)
      .replace(/[._-]+$/, "") || "file";
  if (unique) base = `${base}-${unique}`;
  return ext ? `${base}.${ext}` : base;
}

/** The key of attachment `index` of a log; `unique` is added to the name when the plain key is taken. */
export function buildMediaKey(workspaceId: string, logId: string, index: number, filename: string, unique?: string): string {
  const key = `${workspaceId}/${encodeLogId(logId)}/${index}-${safeFilename(filename, unique)}`;
  if (!parseMediaKey(key)) throw new Error(`built an invalid media key: ${key}`);
  return key;
}

/**
 * Reads a key (canonical, or with its log id already percent-decoded as a router hands it over);
 * undefined when it is not a media key.
 */
export function parseMediaKey(key: string | readonly string[]): MediaKey | undefined {
  const segments = typeof key === "string" ? key.split("/") : [...key];
  if (segments.length !== 3) return undefined;
  const [workspaceId = "", logSegment = "", file = ""] = segments;
  if (!UUID.test(workspaceId)) return undefined;
  const logId = decodeLogId(logSegment);
  if (logId === undefined || !LOG_ID.test(logId)) return undefined;
  const match = FILE_SEGMENT.exec(file);
  if (!match) return undefined;
  const canonicalWorkspace = workspaceId.toLowerCase();
  return { key: `${canonicalWorkspace}/${encodeLogId(logId)}/${file}`, workspaceId: canonicalWorkspace, logId, index: Number(match[1]) };
}

/** The API path of a key: `/api/media/<key>`, each segment percent-encoded. */
export function mediaPath(key: string): string {
  return `/api/media/${key.split("/").map(encodeURIComponent).join("/")}`;
}
