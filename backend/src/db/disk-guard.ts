import fs from "node:fs/promises";
import { ApiError } from "../lib/api-error";

/** Free bytes on the filesystem holding `dir`. */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

const statfsProbe: FreeSpaceProbe = async (dir) => {
  const stats = await fs.statfs(dir);
  return stats.bavail * stats.bsize;
};

/** How often the free space is read again (writes in between use the last reading). */
const REFRESH_MS = 1_000;

/**
 * Keeps the embedded database off a full disk: PGlite that hits "No space left on device" mid-write never
 * recovers (every request hangs, even after space is freed). Writes are refused with a 503 while the data
 * folder's filesystem has less than the configured room left; reads and health go on, and writes resume by
 * themselves once there is room again. On Postgres (DATABASE_URL) the disk is the database server's.
 */
export class DiskGuard {
  private reading: { at: number; free: Promise<number> } | undefined;
  low = false;

  constructor(
    private readonly dir: string | undefined,
    private readonly minFreeBytes: number,
    public probe: FreeSpaceProbe = statfsProbe,
  ) {}

  /** Whether there is room for writes now (false only for the embedded database on a nearly full disk). */
  async writable(): Promise<boolean> {
    if (!this.dir) return true;
    if (!this.reading || Date.now() - this.reading.at >= REFRESH_MS) {
      this.reading = { at: Date.now(), free: this.probe(this.dir).catch(() => Number.POSITIVE_INFINITY) };
    }
    this.low = (await this.reading.free) < this.minFreeBytes;
    return !this.low;
  }

  /** Throws the 503 that says what to do, when there is no room for writes. */
  async assertWritable(): Promise<void> {
    if (await this.writable()) return;
    throw new ApiError(
      "insufficient_storage",
      `The disk holding the embedded database (${this.dir}) is almost full: free some space (writes resume by themselves), or move TRACIRA_DATA_DIR to a larger disk. Reading still works.`,
    );
  }
}
