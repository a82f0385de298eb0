import { randomUUID } from "node:crypto";
import { NodeHelpers, Workflow, type INode, type INodeParameters } from "n8n-workflow";
import type { Types } from "./types";

/**
 * The line n8n's editor shows under a node on the canvas: the node type's `subtitle` expression resolved
 * against the node's parameters (defaults filled in, as the editor does), through n8n's expression engine.
 */
export function subtitleOf(types: Types, nodeType: string, parameters: INodeParameters): string {
  const type = types.nodeTypes.getByNameAndVersion(nodeType);
  const node: INode = { id: randomUUID(), name: "Node", type: nodeType, typeVersion: 1, position: [0, 0], parameters };
  node.parameters = NodeHelpers.getNodeParameters(type.description.properties, parameters, true, false, node, type.description) ?? {};
  const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: types.nodeTypes });
  return String(workflow.expression.getSimpleParameterValue(node, type.description.subtitle, "internal", {}, undefined, ""));
}
