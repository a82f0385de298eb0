#!/usr/bin/env node
/**
 * turbo with its anonymous telemetry off (turbo reads that only from the environment or the user's own
 * config, and prints a banner on a machine's first run otherwise); every root script runs turbo through
 * this. A caller's own TURBO_TELEMETRY_DISABLED is kept.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const bin = path.join(path.dirname(require.resolve("turbo/package.json")), "bin", "turbo");
const result = spawnSync(process.execPath, [bin, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { TURBO_TELEMETRY_DISABLED: "1", ...process.env },
});
process.exit(result.status ?? 1);
