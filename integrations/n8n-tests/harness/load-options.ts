import { LoadOptionsContext } from "n8n-core";
import {
  Workflow,
  type INode,
  type INodeParameters,
  type INodeProperties,
  type INodePropertyCollection,
  type INodePropertyOptions,
} from "n8n-workflow";
import { createAdditionalData } from "./additional-data";
import { MemoryCredentialsHelper, nodeCredentials, type CredentialsData } from "./credentials";
import type { Types } from "./types";

export interface LoadOptionsInput {
  types: Types;
  /** Full node type name, e.g. `n8n-nodes-tracira.tracira`. */
  nodeType: string;
  typeVersion?: number;
  method: string;
  /** The node's current parameters, as the editor sends them. */
  parameters?: INodeParameters;
  credentials?: CredentialsData;
}

type Property = INodeProperties | INodePropertyCollection | INodePropertyOptions;

/** The dotted parameter path of the property that asks for `method` (e.g. `parameters.additionalFields.model`). */
function pathOf(properties: Property[], method: string, prefix: string): string | undefined {
  for (const p of properties) {
    const here = `${prefix}.${p.name}`;
    if ("typeOptions" in p && p.typeOptions?.loadOptionsMethod === method) return here;
    // A collection's fields and a fixed collection's groups sit under the parameter's own name.
    const children =
      "values" in p ? p.values : "type" in p && (p.type === "collection" || p.type === "fixedCollection") ? p.options : undefined;
    const found = children && pathOf(children as Property[], method, here);
    if (found) return found;
  }
  return undefined;
}

/**
 * Calls `methods.loadOptions[method]` as n8n's editor does (the CLI's `DynamicNodeParametersService`):
 * a one-node temporary workflow and a real `LoadOptionsContext`.
 */
export async function loadOptions(input: LoadOptionsInput): Promise<INodePropertyOptions[]> {
  const nodeType = input.types.nodeTypes.getByNameAndVersion(input.nodeType, input.typeVersion);
  const method = nodeType.methods?.loadOptions?.[input.method];
  if (typeof method !== "function") throw new Error(`${input.nodeType} has no loadOptions method ${input.method}`);
  const path = pathOf(nodeType.description.properties, input.method, "parameters");
  if (!path) throw new Error(`no property of ${input.nodeType} uses loadOptionsMethod ${input.method}`);
  const node: INode = {
    id: "uuid-1234",
    name: "Temp-Node",
    type: input.nodeType,
    typeVersion:
      input.typeVersion ??
      (Array.isArray(nodeType.description.version) ? nodeType.description.version.at(-1)! : nodeType.description.version),
    position: [0, 0],
    parameters: input.parameters ?? {},
    ...(input.credentials ? { credentials: nodeCredentials(input.credentials) } : {}),
  };
  const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: input.types.nodeTypes });
  const additionalData = createAdditionalData({
    credentialsHelper: new MemoryCredentialsHelper(input.types.credentialTypes, input.credentials ?? {}),
    currentNodeParameters: node.parameters,
  });
  return await method.call(new LoadOptionsContext(workflow, workflow.getNode("Temp-Node")!, additionalData, path));
}
