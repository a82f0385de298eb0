#!/usr/bin/env node
/**
 * Pushes this local Make app (makecomapp.json and its files) to an existing custom app in Make with
 * @makehq/sdk: the base, groups and readme, the connection, the webhooks, the modules and the RPCs.
 * Idempotent: it lists what exists first, creates only what is missing (matching connections and webhooks
 * by label, since Make names those itself; modules and RPCs by name), updates metadata only when it
 * differs, and sets every code section.
 *
 *   MAKE_API_TOKEN=…  MAKE_ZONE=eu1.make.com  [MAKE_APP_NAME=…]  [MAKE_APP_VERSION=1]  node scripts/deploy.js [--dry-run]
 *
 * --dry-run (or MAKE_DRY_RUN=1) only reads (when a token is given) and prints the plan. MAKE_ZONE may
 * carry `http://` (a local fake of the API, in the tests).
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const APP_DIR = path.resolve(__dirname, "..");
const TYPE_IDS = { trigger: 1, action: 4, search: 9, instant_trigger: 10, responder: 11, universal: 12 };
/** Local code file kind → the Make API section it is pushed to. */
const SECTIONS = {
  connection: { communication: "api", params: "parameters" },
  webhook: { communication: "api", params: "parameters", attach: "attach", detach: "detach" },
  module: {
    communication: "api",
    staticParams: "parameters",
    mappableParams: "expect",
    interface: "interface",
    samples: "samples",
    epoch: "epoch",
  },
  rpc: { communication: "api", params: "parameters" },
};

function readApp(dir = APP_DIR) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "makecomapp.json"), "utf8"));
  const file = (rel) => fs.readFileSync(path.join(dir, rel), "utf8");
  return { manifest, file };
}

/** Sections of one component that have a local file: [[section, text]]. */
function sectionsOf(type, meta, file) {
  return Object.entries(SECTIONS[type])
    .filter(([kind]) => meta.codeFiles[kind])
    .map(([kind, section]) => [section, file(meta.codeFiles[kind])]);
}

/**
 * Deploys; answers the list of write steps (performed, or only planned with dryRun).
 * @param {{ make: any, appName: string, appVersion: number, dryRun?: boolean, log?: (line: string) => void, dir?: string }} options
 */
async function deploy({ make, appName, appVersion, dryRun = false, log = () => {}, dir = APP_DIR }) {
  const { manifest, file } = readApp(dir);
  const steps = [];
  const write = async (description, action, placeholder) => {
    steps.push(description);
    log(`${dryRun ? "[dry-run] " : ""}${description}`);
    return dryRun ? placeholder : action();
  };
  const sdk = make?.sdk;
  const read = async (fn, empty) => (sdk ? fn() : empty);

  if (sdk) {
    try {
      await sdk.apps.get(appName, appVersion);
    } catch (error) {
      throw new Error(`app ${appName} v${appVersion} not found in Make (create it first): ${error.message}`, { cause: error });
    }
  }

  // General sections.
  const general = manifest.generalCodeFiles;
  if (general.base) await write(`set app base`, () => sdk.apps.setSection(appName, appVersion, "base", file(general.base)));
  if (general.groups) await write(`set app groups`, () => sdk.apps.setSection(appName, appVersion, "groups", file(general.groups)));
  if (general.readme) await write(`set app readme`, () => sdk.apps.setDocs(appName, appVersion, file(general.readme)));

  // Connections: Make names them, so match by label.
  const connectionNames = {};
  const remoteConnections = await read(() => sdk.connections.list(appName), []);
  for (const [local, meta] of Object.entries(manifest.components.connection ?? {})) {
    let remote = remoteConnections.find((c) => c.label === meta.label);
    if (!remote) {
      remote = await write(
        `create connection ${local} (${meta.label})`,
        () => sdk.connections.create(appName, { type: meta.connectionType ?? "basic", label: meta.label }),
        { name: `<new connection ${local}>` },
      );
    }
    connectionNames[local] = remote.name;
    for (const [section, text] of sectionsOf("connection", meta, file))
      await write(`set connection ${remote.name} ${section}`, () => sdk.connections.setSection(remote.name, section, text));
  }
  const connectionOf = (meta) => (meta.connection ? (connectionNames[meta.connection] ?? null) : null);

  // Webhooks: Make names them too (and the create answer carries no name: list again).
  const webhookNames = {};
  let remoteWebhooks = (await read(() => sdk.webhooks.list(appName), [])) ?? [];
  for (const [local, meta] of Object.entries(manifest.components.webhook ?? {})) {
    let remote = remoteWebhooks.find((w) => w.label === meta.label);
    if (!remote) {
      remote = await write(
        `create webhook ${local} (${meta.label})`,
        async () => {
          await sdk.webhooks.create(appName, { type: meta.webhookType ?? "web", label: meta.label, connection: connectionOf(meta) });
          remoteWebhooks = (await sdk.webhooks.list(appName)) ?? [];
          const created = remoteWebhooks.find((w) => w.label === meta.label);
          if (!created) throw new Error(`webhook ${meta.label} was created but is not listed`);
          return created;
        },
        { name: `<new webhook ${local}>` },
      );
    }
    webhookNames[local] = remote.name;
    for (const [section, text] of sectionsOf("webhook", meta, file))
      await write(`set webhook ${remote.name} ${section}`, () => sdk.webhooks.setSection(remote.name, section, text));
  }

  // Modules, by name.
  const remoteModules = await read(() => sdk.modules.list(appName, appVersion), []);
  for (const [name, meta] of Object.entries(manifest.components.module ?? {})) {
    const wanted = {
      label: meta.label,
      description: meta.description ?? "",
      connection: connectionOf(meta),
      webhook: meta.webhook ? webhookNames[meta.webhook] : null,
      crud: meta.actionCrud ?? null,
    };
    const remote = remoteModules.find((m) => m.name === name);
    if (!remote) {
      await write(`create module ${name} (${meta.moduleType})`, () =>
        sdk.modules.create(appName, appVersion, { name, typeId: TYPE_IDS[meta.moduleType], moduleInitMode: "blank", ...wanted }),
      );
    } else if (Object.entries(wanted).some(([k, v]) => (remote[k] ?? null) !== v)) {
      await write(`update module ${name}`, () => sdk.modules.update(appName, appVersion, name, wanted));
    }
    for (const [section, text] of sectionsOf("module", meta, file))
      await write(`set module ${name} ${section}`, () => sdk.modules.setSection(appName, appVersion, name, section, text));
  }

  // RPCs, by name.
  const remoteRpcs = await read(() => sdk.rpcs.list(appName, appVersion), []);
  for (const [name, meta] of Object.entries(manifest.components.rpc ?? {})) {
    const wanted = { label: meta.label, connection: connectionOf(meta) };
    const remote = remoteRpcs.find((r) => r.name === name);
    if (!remote) await write(`create rpc ${name}`, () => sdk.rpcs.create(appName, appVersion, { name, ...wanted }));
    else if (Object.entries(wanted).some(([k, v]) => (remote[k] ?? null) !== v))
      await write(`update rpc ${name}`, () => sdk.rpcs.update(appName, appVersion, name, wanted));
    for (const [section, text] of sectionsOf("rpc", meta, file))
      await write(`set rpc ${name} ${section}`, () => sdk.rpcs.setSection(appName, appVersion, name, section, text));
  }
  return steps;
}

/** A Make client for `zone` (`eu1.make.com`, or `http://127.0.0.1:port` for a local fake). */
function client(token, zone) {
  const { Make } = require("@makehq/sdk");
  const http = zone.startsWith("http://");
  const make = new Make(token, zone.replace(/^https?:\/\//, "").replace(/\/+$/, ""));
  if (http) make.protocol = "http";
  return make;
}

async function main(argv = process.argv.slice(2), env = process.env) {
  const dryRun = argv.includes("--dry-run") || env.MAKE_DRY_RUN === "1";
  const { manifest } = readApp();
  const appName = env.MAKE_APP_NAME || manifest.origins?.[0]?.appId;
  const appVersion = Number(env.MAKE_APP_VERSION || manifest.origins?.[0]?.appVersion || 1);
  const token = env.MAKE_API_TOKEN;
  const zone = env.MAKE_ZONE;
  if (!appName) throw new Error("set MAKE_APP_NAME (or origins[0].appId in makecomapp.json)");
  if (!dryRun && (!token || !zone)) throw new Error("set MAKE_API_TOKEN and MAKE_ZONE (e.g. eu1.make.com), or pass --dry-run");
  const make = token && zone ? client(token, zone) : undefined;
  const steps = await deploy({ make, appName, appVersion, dryRun, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`${dryRun ? "planned" : "done"}: ${steps.length} write(s) to ${appName} v${appVersion}\n`);
}

module.exports = { deploy, client, main, TYPE_IDS };

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`deploy failed: ${error.message}\n`);
    process.exit(1);
  });
}
