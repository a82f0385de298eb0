import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import semver from "semver";

/** What a new user meets on `npm install` and `npm start`: engines that agree, no telemetry banner. */
const REPO = path.resolve(__dirname, "../..");
const run = promisify(execFile);

interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const manifestOf = async (dir: string): Promise<Manifest> => JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));

/** The package folder Node would load `name` from, starting at `from` (node_modules lookup upwards). */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return undefined; // an optional dependency of another platform
  }
}

test("every package the server loads at run time accepts the Node version the README and engines promise", async () => {
  const promised = (await manifestOf(REPO)).engines?.node;
  expect(promised).toBeDefined();
  const oldest = semver.minVersion(promised!)!.version;

  const refused: string[] = [];
  const seen = new Set<string>();
  const visit = async (dir: string) => {
    const manifest = await manifestOf(dir);
    const key = `${manifest.name}@${manifest.version}`;
    if (seen.has(key)) return;
    seen.add(key);
    const wants = manifest.engines?.node;
    if (wants && !semver.satisfies(oldest, wants)) refused.push(`${key} wants node ${wants}`);
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
      const child = packageDir(name, dir);
      if (child) await visit(child);
    }
  };
  await visit(path.join(REPO, "backend"));
  expect(seen.size).toBeGreaterThan(50);
  expect(refused).toEqual([]);
});

test("the repository's scripts run turbo without its telemetry banner, also on a machine's first run", async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), "tracira-home-"));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config") };
    delete env.TURBO_TELEMETRY_DISABLED;
    delete env.DO_NOT_TRACK;
    const args = ["run", "typecheck", "--filter=@tracira/shared", "--dry-run=json"];
    const { stdout, stderr } = await run(process.execPath, [path.join(REPO, "scripts/turbo.mjs"), ...args], { cwd: REPO, env });
    expect(JSON.parse(stdout)).toHaveProperty("tasks");
    expect(stdout + stderr).not.toMatch(/telemetry/i);
    const root = JSON.parse(await readFile(path.join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const bare = Object.entries(root.scripts).filter(([, script]) => /(^|&&\s*|\s)turbo\s/.test(script));
    expect(bare).toEqual([]);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}, 60_000);
