/**
 * The community-package rules n8n's verification applies to the published package, checked on the
 * built `dist/` (what n8n loads): no runtime dependencies, an `n8n` key whose paths exist, the keyword,
 * and node code that uses no restricted global (`process`, `console`, timers, …) and imports only what
 * n8n Cloud allows (no `fs`). `n8n-node lint` checks the sources in CI (the root `npm run lint`).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { PACKAGE_DIR } from "./harness";

const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8"));
const DIST = path.join(PACKAGE_DIR, "dist");

/** @n8n/eslint-plugin-community-nodes' `no-restricted-globals`, plus `console`. */
const RESTRICTED_GLOBALS = new Set([
  "clearInterval",
  "clearTimeout",
  "global",
  "globalThis",
  "process",
  "setInterval",
  "setTimeout",
  "setImmediate",
  "clearImmediate",
  "__dirname",
  "__filename",
  "console",
]);
/** @n8n/eslint-plugin-community-nodes' `no-restricted-imports` allow-list (besides relative paths). */
const ALLOWED_MODULES = new Set([
  "n8n-workflow",
  "ai-node-sdk",
  "@n8n/ai-node-sdk",
  "lodash",
  "moment",
  "p-limit",
  "luxon",
  "zod",
  "crypto",
  "node:crypto",
]);

function distJs(dir = DIST): string[] {
  if (!fs.existsSync(dir)) throw new Error(`${dir} is missing: build first (npx turbo run build, or npm test which builds)`);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? distJs(path.join(dir, e.name)) : e.name.endsWith(".js") ? [path.join(dir, e.name)] : []));
}

interface Finding {
  file: string;
  line: number;
  what: string;
}

/**
 * What a compiled file uses that the rules forbid: restricted globals read as values (not `obj.process`,
 * not a `process:` key, not a local of that name) and modules loaded by `require`/`import` outside the
 * allow-list. Parsed, so comments and strings never count.
 */
function violations(file: string): Finding[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const declared = new Set<string>();
  const uses: ts.Identifier[] = [];
  const modules: ts.StringLiteral[] = [];
  const visit = (node: ts.Node): void => {
    const parent = node.parent;
    if (ts.isIdentifier(node) && parent) {
      const isName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node);
      const isDeclaration =
        (ts.isVariableDeclaration(parent) ||
          ts.isParameter(parent) ||
          ts.isFunctionDeclaration(parent) ||
          ts.isClassDeclaration(parent) ||
          ts.isBindingElement(parent)) &&
        parent.name === node;
      if (isDeclaration) declared.add(node.text);
      else if (!isName && RESTRICTED_GLOBALS.has(node.text)) uses.push(node);
    }
    if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))
    ) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) modules.push(arg);
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      modules.push(node.moduleSpecifier);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const at = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  const rel = path.relative(PACKAGE_DIR, file);
  return [
    ...uses.filter((u) => !declared.has(u.text)).map((u) => ({ file: rel, line: at(u), what: `global ${u.text}` })),
    ...modules
      .filter((m) => !m.text.startsWith(".") && !ALLOWED_MODULES.has(m.text))
      .map((m) => ({ file: rel, line: at(m), what: `module ${m.text}` })),
  ];
}

test("package.json: a community-node package with no runtime dependencies", () => {
  expect(pkg.name).toMatch(/^n8n-nodes-/);
  expect(pkg.keywords).toContain("n8n-community-node-package");
  expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  expect(Object.keys(pkg.peerDependencies ?? {})).toEqual(["n8n-workflow"]);
  expect(pkg.n8n).toMatchObject({ n8nNodesApiVersion: 1, strict: true });
  expect(pkg.files).toEqual(["dist"]);
});

test("package.json: every path in the n8n key exists in dist", () => {
  const listed: string[] = [...pkg.n8n.credentials, ...pkg.n8n.nodes];
  expect(pkg.n8n.credentials.length).toBeGreaterThan(0);
  expect(pkg.n8n.nodes.length).toBeGreaterThan(0);
  for (const p of listed) {
    expect(p).toMatch(/^dist\//);
    expect({ path: p, exists: fs.existsSync(path.join(PACKAGE_DIR, p)) }).toEqual({ path: p, exists: true });
  }
});

test("the compiled code uses no restricted global and loads only allowed modules", () => {
  const files = distJs();
  expect(files.length).toBeGreaterThan(0);
  expect(files.flatMap(violations)).toEqual([]);
});

test("the scan finds what it looks for (and skips comments, strings, keys and locals)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scan-"));
  const file = path.join(dir, "x.js");
  fs.writeFileSync(
    file,
    [
      '"use strict";',
      "// process.env, console.log and require('fs') in a comment",
      'const s = "process console fs";',
      "const o = { process: 1, console: 2 }; o.process; o.console;",
      "function f(setTimeout) { return setTimeout; }",
      "const fs = require('fs');",
      "process.env.X;",
      "console.log(1);",
      "const c = require('node:crypto'); require('./local'); require('n8n-workflow');",
    ].join("\n"),
  );
  try {
    expect(violations(file).map((v) => `${v.line}: ${v.what}`)).toEqual(["7: global process", "8: global console", "6: module fs"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("npm pack ships the compiled nodes without build leftovers (no tsbuildinfo, no source maps to unshipped sources)", () => {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: PACKAGE_DIR, encoding: "utf8" }),
  ) as {
    files: { path: string }[];
    size: number;
  }[];
  const files = packed[0]!.files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(["package.json", ...pkg.n8n.nodes, ...pkg.n8n.credentials]));
  expect(files.filter((f) => f.endsWith(".tsbuildinfo") || f.endsWith(".map") || (f.endsWith(".ts") && !f.endsWith(".d.ts")))).toEqual([]);
});
