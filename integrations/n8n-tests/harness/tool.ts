import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from "n8n-workflow";

/**
 * The Tool variant n8n's CLI makes of a node with `usableAsTool` (its `convertNodeToAiTool`): the same
 * node and `execute`, named `<name>Tool`, with no main input and one `ai_tool` output. n8n-core then runs it
 * for an agent through `createNodeAsTool`, which answers the agent with the first output's items only.
 */
export function toolVariantOf(type: INodeType): INodeType {
  if (!type.description.usableAsTool) throw new Error(`${type.description.name} is not usable as a tool`);
  const description: INodeTypeDescription = {
    ...type.description,
    name: `${type.description.name}Tool`,
    displayName: `${type.description.displayName} Tool`,
    inputs: [],
    outputs: [NodeConnectionTypes.AiTool],
  };
  return Object.assign(Object.create(Object.getPrototypeOf(type) as object) as INodeType, type, { description });
}

/**
 * Stands in for n8n's AI Agent (not installed): asks n8n-core for its connected tools
 * (`getInputConnectionData`, which wraps each with `createNodeAsTool`), calls the first with the `args`
 * parameter, and emits the string the agent's model would read as `answer`. Register it under AGENT_NODE_TYPE.
 */
export const AGENT_NODE_TYPE = "harness.agent";
export const agentNodeType: INodeType = {
  description: {
    displayName: "Agent",
    name: AGENT_NODE_TYPE,
    group: ["transform"],
    version: 1,
    description: "Calls its tool once",
    defaults: { name: "Agent" },
    inputs: [NodeConnectionTypes.Main, NodeConnectionTypes.AiTool],
    outputs: [NodeConnectionTypes.Main],
    properties: [{ displayName: "Args", name: "args", type: "json", default: "{}" }],
  },
  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const connected = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as unknown;
    const [tool] = (Array.isArray(connected) ? connected : [connected]) as { invoke(args: unknown): Promise<unknown> }[];
    if (!tool) throw new Error("no tool is connected to the agent");
    const raw = this.getNodeParameter("args", 0) as string | object;
    const answer = await tool.invoke(typeof raw === "string" ? JSON.parse(raw) : raw);
    return [[{ json: { answer: String(answer) } }]];
  },
};
