import fs from "node:fs";
import path from "node:path";
import { PackageDirectoryLoader } from "n8n-core";
import {
  NodeHelpers,
  type ICredentialType,
  type ICredentialTypes,
  type IDataObject,
  type INodeType,
  type INodeTypes,
  type IVersionedNodeType,
} from "n8n-workflow";

/** The package under test: `integrations/n8n`, loaded from its built `dist/`. */
export const PACKAGE_DIR = path.resolve(__dirname, "../../n8n");

/** What n8n knows about: node types under their full names (`<package>.<node>`) and credential types. */
export interface Types {
  nodeTypes: INodeTypes;
  credentialTypes: ICredentialTypes;
}

export interface LoadedPackage {
  packageName: string;
  /** Full node type name (`n8n-nodes-tracira.tracira`) → node type, as n8n registers community nodes. */
  nodes: Record<string, INodeType | IVersionedNodeType>;
  credentials: Record<string, ICredentialType>;
}

/** Fails with a clear message when a path the package's `n8n` key lists was not built. */
function assertBuilt(dir: string): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const listed: string[] = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
  if (listed.length === 0) throw new Error(`${dir}/package.json lists no n8n nodes or credentials`);
  const missing = listed.filter((p) => !fs.existsSync(path.join(dir, p)));
  if (missing.length > 0) {
    throw new Error(`${missing.join(", ")} missing in ${dir}: build first (npx turbo run build, or npm test which builds)`);
  }
}

/** Loads a community-node package the way n8n does: `PackageDirectoryLoader` over its `package.json`. */
export async function loadPackage(dir: string = PACKAGE_DIR): Promise<LoadedPackage> {
  assertBuilt(dir);
  const loader = new PackageDirectoryLoader(dir);
  await loader.loadAll();
  const nodes: LoadedPackage["nodes"] = {};
  for (const [name, { type }] of Object.entries(loader.nodeTypes)) nodes[`${loader.packageName}.${name}`] = type;
  const credentials: LoadedPackage["credentials"] = {};
  for (const [name, { type }] of Object.entries(loader.credentialTypes)) credentials[name] = type;
  return { packageName: loader.packageName, nodes, credentials };
}

/** An `INodeTypes` + `ICredentialTypes` pair over loaded packages and any extra node types (by full name). */
export function typesOf(packages: LoadedPackage[], extraNodes: Record<string, INodeType> = {}): Types {
  const nodes: Record<string, INodeType | IVersionedNodeType> = { ...extraNodes };
  const credentials: Record<string, ICredentialType> = {};
  for (const p of packages) {
    Object.assign(nodes, p.nodes);
    Object.assign(credentials, p.credentials);
  }
  const nodeTypes: INodeTypes = {
    getByName(name) {
      const type = nodes[name];
      if (!type) throw new Error(`unknown node type ${name} (known: ${Object.keys(nodes).join(", ")})`);
      return type;
    },
    getByNameAndVersion(name, version) {
      return NodeHelpers.getVersionedNodeType(this.getByName(name), version);
    },
    getKnownTypes: () => ({}) as IDataObject,
  };
  const credentialTypes: ICredentialTypes = {
    recognizes: (name) => name in credentials,
    getByName(name) {
      const type = credentials[name];
      if (!type) throw new Error(`unknown credential type ${name} (known: ${Object.keys(credentials).join(", ")})`);
      return type;
    },
    // Which nodes may use a credential: those whose description lists it (what n8n infers on load).
    getSupportedNodes: (name) =>
      Object.entries(nodes)
        .filter(([, t]) => descriptionsOf(t).some((d) => d.credentials?.some((c) => c.name === name)))
        .map(([full]) => full),
    getParentTypes(name) {
      const parents = credentials[name]?.extends ?? [];
      return parents.flatMap((p) => [p, ...this.getParentTypes(p)]);
    },
  };
  return { nodeTypes, credentialTypes };
}

function descriptionsOf(type: INodeType | IVersionedNodeType) {
  return "nodeVersions" in type ? Object.values(type.nodeVersions).map((v) => v.description) : [type.description];
}
