import fs from "node:fs";
import path from "node:path";
import { ensurePrivateDir } from "../lib/private-dir";

/**
 * PGlite lets one process own a data folder; a second one silently loses writes. This lock file
 * (holding the owner's pid) makes a second server refuse to start instead. A lock left by a
 * process that no longer runs is taken over.
 */
export class DataDirLockedError extends Error {}

export function lockDataDir(dir: string): () => void {
  ensurePrivateDir(dir);
  const file = path.join(dir, "tracira.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(file, "utf8") === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(fs.readFileSync(file, "utf8").trim());
      if (owner && owner !== process.pid && isRunning(owner)) {
        throw new DataDirLockedError(
          `Another Tracira process (pid ${owner}) is using the data folder ${dir}. ` +
            `Stop it, or set TRACIRA_DATA_DIR to another folder (or DATABASE_URL to use Postgres).`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock the data folder ${dir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
