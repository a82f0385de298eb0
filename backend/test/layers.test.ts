import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/** The layer check (scripts/check-layers.mjs over .dependency-cruiser.cjs) on the tree, and on a copy that breaks it. */
const REPO = path.resolve(__dirname, "../..");
const run = promisify(execFile);

async function checkLayers(root: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [path.join(REPO, "scripts/check-layers.mjs"), "--root", root]);
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, output: e.stdout };
  }
}

test("the backend's imports point down and form no circle", async () => {
  const { code, output } = await checkLayers(REPO);
  expect(output).toContain("no dependency violations found");
  expect(code).toBe(0);
}, 60_000);

test("an upward import or a circle fails the check, each named by its rule", async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), "tracira-layers-"));
  try {
    await cp(path.join(REPO, "backend/src"), path.join(root, "backend/src"), { recursive: true, filter: (p) => !p.includes("generated") });
    await cp(path.join(REPO, "tsconfig.base.json"), path.join(root, "tsconfig.base.json"));
    const probe = (file: string, text: string) => writeFile(path.join(root, "backend/src", file), text);
    await probe("services/probe-transport.ts", `import { createApp } from "../http/app";\nexport const a = createApp;\n`);
    await probe("evaluation/probe-services.ts", `import type { RuleService } from "../services/rules";\nexport type A = RuleService;\n`);
    await probe("deliveries/probe-evaluation.ts", `import { Evaluator } from "../evaluation/evaluator";\nexport const a = Evaluator;\n`);
    await probe("lib/probe-up.ts", `import { SettingsService } from "../services/settings";\nexport const a = SettingsService;\n`);
    await probe("http/probe-routes.ts", `import { routes } from "../routes";\nexport const a = routes;\n`);
    await probe("lib/probe-circle-a.ts", `import { b } from "./probe-circle-b";\nexport const a = () => b;\n`);
    await probe("lib/probe-circle-b.ts", `import { a } from "./probe-circle-a";\nexport const b = () => a;\n`);

    const { code, output } = await checkLayers(root);
    expect(code).toBe(1);
    expect(output).toMatch(/services-below-transport: backend\/src\/services\/probe-transport\.ts → backend\/src\/http\/app\.ts/);
    expect(output).toMatch(/runtimes-below-services: backend\/src\/evaluation\/probe-services\.ts → backend\/src\/services\/rules\.ts/);
    expect(output).toMatch(/deliveries-below-evaluation: backend\/src\/deliveries\/probe-evaluation\.ts/);
    expect(output).toMatch(/ground-stays-down: backend\/src\/lib\/probe-up\.ts/);
    expect(output).toMatch(/routes-only-from-entry: backend\/src\/http\/probe-routes\.ts/);
    expect(output).toMatch(/no-circular: backend\/src\/lib\/probe-circle-a\.ts/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}, 60_000);
