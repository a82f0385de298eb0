import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { ensurePrivateDir } from "../lib/private-dir";

/** Reads `TRACIRA_SECRET_KEY`: 32 bytes as 64 hex characters or as base64/base64url. Undefined when malformed. */
export function parseSecretKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (key.length === 32) return key;
  }
  return undefined;
}

export const SECRET_KEY_FILE = "secret.key";

/**
 * Without TRACIRA_SECRET_KEY the key lives in the data folder, made on first start (mode 0600). Two
 * processes starting together agree: the file is created exclusively and the loser reads the winner's.
 */
export function loadOrCreateKeyFile(dataDir: string): { key: Buffer; file: string; created: boolean } {
  const file = path.join(dataDir, SECRET_KEY_FILE);
  ensurePrivateDir(dataDir);
  try {
    fs.writeFileSync(file, randomBytes(32).toString("base64url") + "\n", { flag: "wx", mode: 0o600 });
    return { key: readKeyFile(file), file, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { key: readKeyFile(file), file, created: false };
  }
}

function readKeyFile(file: string): Buffer {
  let text = fs.readFileSync(file, "utf8");
  // Another process may have created the file a moment ago and not written it yet.
  for (let i = 0; i < 50 && !text; i++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    text = fs.readFileSync(file, "utf8");
  }
  const key = parseSecretKey(text);
  if (!key) throw new Error(`${file} does not hold a 32-byte key; restore it from a backup, or remove it only if no secret was stored yet`);
  return key;
}
