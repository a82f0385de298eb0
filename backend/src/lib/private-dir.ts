import fs from "node:fs";

/**
 * Creates the data folder readable by this user only (0700): the embedded database and the key file
 * inside it are then out of other local users' reach whatever modes their files get. An existing folder
 * is narrowed to 0700 too.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}
