import fs from "node:fs";
import path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { APP_DIR, SCHEMAS_DIR, appFiles, components, readJson } from "./helpers/app";

// CI must check the schemas, never skip: only a local run without ../shared may skip.
const haveSchemas = fs.existsSync(path.join(SCHEMAS_DIR, "file-map.json"));
if (!haveSchemas && process.env.CI === "true") throw new Error(`Make's schemas are missing at ${SCHEMAS_DIR} (set MAKE_SCHEMAS_DIR)`);
const describeIf = haveSchemas ? describe : describe.skip;

interface Mapping {
  fileMatch: string[];
  schema: string;
}

/** The schema for a file per file-map.json (`*.x` → suffix, a plain name → that base name). */
function schemaFor(map: Mapping[], file: string): string | undefined {
  const base = path.posix.basename(file);
  const hits = map.filter((m) =>
    m.fileMatch.some((pattern) =>
      pattern.includes("/") ? false : pattern.startsWith("*") ? base.endsWith(pattern.slice(1)) : base === pattern,
    ),
  );
  // file-map.json has no entry for static parameters; they are parameters like the mappable ones.
  return hits[0]?.schema ?? (base.endsWith(".static-params.iml.json") ? "parameters.json" : undefined);
}

describeIf("the Make app's files against Make's schemas", () => {
  const map: Mapping[] = haveSchemas ? JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, "file-map.json"), "utf8")) : [];
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  // The one format the schemas use (makecomapp.json origins[].baseUrl); ajv knows none without ajv-formats.
  ajv.addFormat("uri", (value: string) => URL.canParse(value));
  for (const file of haveSchemas ? fs.readdirSync(SCHEMAS_DIR) : []) {
    if (!file.endsWith(".json") || file === "file-map.json") continue;
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), "utf8")), file);
  }
  const validators = new Map<string, ValidateFunction>();
  const validator = (schema: string) => {
    if (!validators.has(schema)) validators.set(schema, ajv.getSchema(schema)!);
    return validators.get(schema)!;
  };

  const jsonFiles = appFiles().filter((f) => f.endsWith(".json"));

  it.each(jsonFiles)("%s validates", (file) => {
    const schema = schemaFor(map, file);
    expect(schema).toBeDefined();
    const validate = validator(schema!);
    expect(validate).toBeDefined();
    const ok = validate(readJson(file));
    expect(ajv.errorsText(validate.errors, { separator: "\n" })).toBe(ok ? "No errors" : "(valid)");
  });

  it("the schemas catch a wrong file (the check is live)", () => {
    const validate = validator(schemaFor(map, "x.communication.iml.json")!);
    expect(validate({ url: "/api/logs", method: "FETCH" })).toBe(false);
    expect(validator("parameters.json")([{ name: "x", type: "texxt" }])).toBe(false);
  });
});

describe("makecomapp.json", () => {
  const app = readJson("makecomapp.json");

  it("lists every code file that exists, and every file it lists exists", () => {
    const listed = new Set<string>(["makecomapp.json"]);
    for (const file of Object.values<string | null>(app.generalCodeFiles)) if (file) listed.add(file);
    for (const c of components()) for (const file of Object.values<string | null>(c.meta.codeFiles)) if (file) listed.add(file);
    for (const file of listed) expect(fs.existsSync(path.join(APP_DIR, file))).toBe(true);
    expect(appFiles().sort()).toEqual([...listed].sort());
  });

  it("has the modules, webhooks and RPCs of issues 8 and 19", () => {
    const names = (type: string) => Object.keys(app.components[type]).sort();
    expect(names("module")).toEqual(
      ["addStep", "decideLog", "getLog", "logExecution", "makeApiCall", "searchLogs", "watchDecisions", "watchVerdicts"].sort(),
    );
    expect(names("webhook")).toEqual(["decisions", "verdicts"]);
    expect(names("rpc")).toEqual(["models", "projects", "tasks"]);
    expect(app.components.module.watchVerdicts).toMatchObject({ moduleType: "instant_trigger", webhook: "verdicts" });
    expect(app.components.module.watchDecisions).toMatchObject({ moduleType: "instant_trigger", webhook: "decisions" });
    expect(app.components.module.makeApiCall.moduleType).toBe("universal");
    expect(app.components.module.searchLogs.moduleType).toBe("search");
  });

  it("every rpc:// a select uses exists", () => {
    const rpcs = new Set(Object.keys(app.components.rpc));
    const used = new Set<string>();
    const walk = (v: unknown) => {
      if (typeof v === "string" && v.startsWith("rpc://")) used.add(v.slice(6));
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    for (const c of components()) walk(c.code);
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(rpcs.has(name)).toBe(true);
  });

  it("the base sends the token, maps {error, code} and hides Authorization in logs", () => {
    const base = readJson(app.generalCodeFiles.base);
    expect(base.headers.Authorization).toBe("Bearer {{connection.apiToken}}");
    expect(base.response.error.message).toContain("{{body.error}}");
    expect(base.response.error.message).toContain("{{body.code}}");
    expect(base.log.sanitize).toContain("request.headers.authorization");
  });
});
