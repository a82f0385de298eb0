/**
 * The example workflows and the README's install routes agree: every Tracira node in an example uses a
 * type the community-package install registers, and the custom-extensions route names the same nodes the
 * way the README says (`CUSTOM.<node>`), loaded by n8n-core's own loaders.
 */
import fs from "node:fs";
import path from "node:path";
import { CustomDirectoryLoader } from "n8n-core";
import { loadPackage, PACKAGE_DIR } from "./harness";

const EXAMPLES = path.join(PACKAGE_DIR, "examples");
const README = fs.readFileSync(path.join(PACKAGE_DIR, "README.md"), "utf8");

test("every Tracira node in the examples is a type the community-package install registers", async () => {
  const { nodes, packageName } = await loadPackage();
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith(".json"));
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), "utf8")) as { nodes: { type: string }[] };
    const ours = workflow.nodes.map((n) => n.type).filter((t) => !t.startsWith("n8n-nodes-base."));
    expect(ours.length).toBeGreaterThan(0);
    for (const type of ours) expect({ file, type, known: type in nodes }).toEqual({ file, type, known: true });
    expect(ours.every((t) => t.startsWith(`${packageName}.`))).toBe(true);
  }
});

test("the custom-extensions route names the nodes as the README says", async () => {
  const loader = new CustomDirectoryLoader(path.join(PACKAGE_DIR, "dist"));
  await loader.loadAll();
  const names = Object.keys(loader.nodeTypes).map((n) => `${loader.packageName}.${n}`);
  expect(names.sort()).toEqual(["CUSTOM.tracira", "CUSTOM.traciraTrigger"]);
  for (const name of names) expect(README).toContain(`\`${name}\``);
});
