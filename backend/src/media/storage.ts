import type { Readable } from "node:stream";

/** What is kept beside a stored file, and served back with it. */
export interface MediaMeta {
  contentType: string;
  /** The name the file was sent with (for Content-Disposition), not the key's sanitized one. */
  filename: string;
}

export interface StoredMedia {
  size: number;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
}

/**
 * Where attachments live. One small interface so another backend (an S3-compatible bucket) can replace
 * the local folder without touching ingestion or the media routes.
 *
 * Keys are `workspaceId/logId/N-filename` (see media-keys.ts); an implementation must refuse any other
 * shape, so no key can reach outside its store.
 */
export interface MediaStorage {
  /**
   * Stores `source` under `key`, all or nothing: a reader never sees a partly written file. Rejects
   * with MediaTooLargeError past `maxBytes` (what was written is discarded) and MediaKeyTakenError when
   * the key already holds a file (a stored file is never replaced).
   */
  put(key: string, source: Readable, meta: MediaMeta, maxBytes: number): Promise<StoredMedia>;
  /** The stored file, or undefined when there is none. The caller must consume or destroy the stream. */
  open(key: string): Promise<{ stream: Readable; meta: MediaMeta & StoredMedia } | undefined>;
  /** Removes the files; keys with no file are ignored. */
  remove(keys: readonly string[]): Promise<void>;
}

/** The file is larger than the caller accepts. */
export class MediaTooLargeError extends Error {
  override name = "MediaTooLargeError";
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
  }
}

/** A file is already stored under this key. */
export class MediaKeyTakenError extends Error {
  override name = "MediaKeyTakenError";
  constructor(readonly key: string) {
    super(`a file is already stored under ${key}`);
  }
}

/** The key is not of the form `workspaceId/logId/N-filename`. */
export class InvalidMediaKeyError extends Error {
  override name = "InvalidMediaKeyError";
}
