import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseMediaKey } from "./media-keys";
import {
  InvalidMediaKeyError,
  MediaKeyTakenError,
  MediaTooLargeError,
  type MediaMeta,
  type MediaStorage,
  type StoredMedia,
} from "./storage";

interface Sidecar extends MediaMeta, StoredMedia {
  v: 1;
}

/**
 * Attachments in a local folder (`TRACIRA_MEDIA_DIR`, by default `<data dir>/media`): the file at
 * `<dir>/<key>` and its metadata in a sidecar `.<name>.json` beside it.
 *
 * A file is written to a temporary name in its final folder (flushed to disk), then linked under its
 * key (which never replaces an existing file), then its sidecar is renamed into place. A file counts as
 * stored only once its sidecar exists, so a reader never sees a partly written one; temporary and
 * sidecar names start with a dot, which no key can.
 */
export class LocalMediaStorage implements MediaStorage {
  private readonly root: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
  }

  async put(key: string, source: Readable, meta: MediaMeta, maxBytes: number): Promise<StoredMedia> {
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    const tmp = path.join(dir, `.tmp-${randomBytes(8).toString("hex")}`);
    const tmpMeta = `${tmp}.json`;
    const hash = createHash("sha256");
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new MediaTooLargeError(maxBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    let linked = false;
    try {
      const handle = await openExclusive(tmp);
      // `flush`: synced to disk before the stream closes the file (it closes it on error too).
      await pipeline(source, counter, handle.createWriteStream({ flush: true }));
      const stored: StoredMedia = { size, sha256: hash.digest("hex") };
      const sidecar: Sidecar = { v: 1, contentType: meta.contentType, filename: meta.filename, ...stored };
      await fs.writeFile(tmpMeta, JSON.stringify(sidecar), { flag: "wx", mode: 0o600, flush: true });
      await publish(tmp, file, key);
      linked = true;
      await fs.rename(tmpMeta, sidecarOf(file));
      await syncDir(dir);
      return stored;
    } catch (err) {
      source.destroy();
      if (linked) await fs.rm(file, { force: true }).catch(() => undefined);
      throw err;
    } finally {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      await fs.rm(tmpMeta, { force: true }).catch(() => undefined);
    }
  }

  async open(key: string): Promise<{ stream: Readable; meta: MediaMeta & StoredMedia } | undefined> {
    let file: string;
    try {
      file = this.pathOf(key);
    } catch {
      return undefined;
    }
    let sidecar: Sidecar;
    try {
      sidecar = JSON.parse(await fs.readFile(sidecarOf(file), "utf8")) as Sidecar;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, "r");
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const { size } = await handle.stat().catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
    return {
      stream: handle.createReadStream(),
      meta: { contentType: sidecar.contentType, filename: sidecar.filename, size, sha256: sidecar.sha256 },
    };
  }

  async remove(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      let file: string;
      try {
        file = this.pathOf(key);
      } catch {
        continue;
      }
      // The sidecar first: without it the file is no longer served, even if the second step fails.
      await fs.rm(sidecarOf(file), { force: true });
      await fs.rm(file, { force: true });
      dirs.add(path.dirname(file));
    }
    // The log's folder goes when it is empty (a concurrent put recreates it, see openExclusive).
    for (const dir of dirs) await fs.rmdir(dir).catch(() => undefined);
  }

  /** The file of a key, which must be a valid media key and stay inside the folder. */
  private pathOf(key: string): string {
    const parsed = parseMediaKey(key);
    if (!parsed || parsed.key !== key) throw new InvalidMediaKeyError(`not a media key: ${key.slice(0, 300)}`);
    const file = path.resolve(this.root, ...key.split("/"));
    if (!file.startsWith(this.root + path.sep)) throw new InvalidMediaKeyError(`not a media key: ${key.slice(0, 300)}`);
    return file;
  }
}

const sidecarOf = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.json`);

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === "ENOENT";

/** Creates the temporary file (and its folders); once more if a concurrent cleanup removed the empty folder meanwhile. */
async function openExclusive(file: string): Promise<fs.FileHandle> {
  for (let attempt = 0; ; attempt++) {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      return await fs.open(file, "wx", 0o600);
    } catch (err) {
      if (!isMissing(err) || attempt >= 2) throw err;
    }
  }
}

/** Makes the complete file visible under its key without ever replacing another one. */
async function publish(tmp: string, file: string, key: string): Promise<void> {
  try {
    await fs.link(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new MediaKeyTakenError(key);
    // File systems without hard links: check, then rename (not atomic, but never half-written).
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") throw err;
    if (
      await fs.stat(file).then(
        () => true,
        () => false,
      )
    )
      throw new MediaKeyTakenError(key);
    await fs.rename(tmp, file);
  }
}

/** Makes the new names durable (best effort: not every platform can sync a folder). */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r").catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close().catch(() => undefined);
}
