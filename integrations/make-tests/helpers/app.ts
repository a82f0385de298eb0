import fs from "node:fs";
import path from "node:path";

/** The Make app, in the Apps SDK local layout. */
export const APP_DIR = path.resolve(__dirname, "../../make");

/** Make's JSON Schemas: `MAKE_SCHEMAS_DIR`, else `../shared/make-schemas` beside the repository. */
export const SCHEMAS_DIR = process.env.MAKE_SCHEMAS_DIR ?? path.resolve(__dirname, "../../../../shared/make-schemas");

export const readJson = (file: string): any => JSON.parse(fs.readFileSync(path.resolve(APP_DIR, file), "utf8"));

export type ComponentType = "connection" | "webhook" | "module" | "rpc";
export interface Component {
  type: ComponentType;
  name: string;
  meta: any;
  /** code type (communication, attach, interface…) → parsed file, for the files that exist. */
  code: Record<string, any>;
}

/** Every component listed in makecomapp.json, with its code files read. */
export function components(): Component[] {
  const app = readJson("makecomapp.json");
  const out: Component[] = [];
  for (const type of ["connection", "webhook", "module", "rpc"] as const) {
    for (const [name, meta] of Object.entries<any>(app.components[type] ?? {})) {
      const code: Record<string, any> = {};
      for (const [kind, file] of Object.entries<string | null>(meta.codeFiles)) if (file) code[kind] = readJson(file);
      out.push({ type, name, meta, code });
    }
  }
  return out;
}

export const component = (type: ComponentType, name: string): Component => {
  const found = components().find((c) => c.type === type && c.name === name);
  if (!found) throw new Error(`no ${type} ${name} in makecomapp.json`);
  return found;
};

/** Every file of the app (relative, `/`-separated), without package.json, scripts and docs. */
export function appFiles(dir = APP_DIR): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!["node_modules", "scripts", ".secrets"].includes(entry.name)) files.push(...appFiles(full));
    } else files.push(path.relative(APP_DIR, full).split(path.sep).join("/"));
  }
  return files.filter((f) => !["package.json", "README.md", "WIP.md"].includes(f));
}
