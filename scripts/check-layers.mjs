#!/usr/bin/env node
/**
 * Fails (exit 1) when a backend module imports a layer above its own or an import circle appears; the
 * layers and rules are in .dependency-cruiser.cjs. `--root DIR` checks another copy of the repository
 * (the test uses it to show the check fails on an upward import).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cruise } from "dependency-cruiser";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

const repo = path.resolve(fileURLToPath(import.meta.url), "../..");
const rootArg = process.argv.indexOf("--root");
const root = rootArg > 0 ? path.resolve(process.argv[rootArg + 1]) : repo;

const config = createRequire(import.meta.url)(path.join(repo, ".dependency-cruiser.cjs"));
process.chdir(root);
const result = await cruise(
  ["backend/src"],
  { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, outputType: "err" },
  undefined,
  { tsConfig: extractTSConfig(path.join(root, config.options.tsConfig.fileName)) },
);
process.stdout.write(String(result.output));
process.exit(result.exitCode > 0 ? 1 : 0);
