import { randomUUID } from "node:crypto";
import { ExecutionLifecycleHooks, WorkflowExecute } from "n8n-core";
import {
  NodeConnectionTypes,
  Workflow,
  type IConnections,
  type IDataObject,
  type IExecuteFunctions,
  type INode,
  type INodeExecutionData,
  type INodeType,
  type IRun,
  type IWorkflowBase,
} from "n8n-workflow";
import { createAdditionalData } from "./additional-data";
import { MemoryCredentialsHelper, type CredentialsData } from "./credentials";
import type { Types } from "./types";

/**
 * Stands in for n8n-nodes-base's Manual Trigger (not installed): a node with no input that emits the
 * items in its `items` parameter. Register it under START_NODE_TYPE (see `typesOf`).
 */
export const START_NODE_TYPE = "harness.start";
export const startNodeType: INodeType = {
  description: {
    displayName: "Start",
    name: START_NODE_TYPE,
    group: ["input"],
    version: 1,
    description: "Emits the given items",
    defaults: { name: "Start" },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    properties: [{ displayName: "Items", name: "items", type: "json", default: "[]" }],
  },
  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const raw = this.getNodeParameter("items", 0) as string | IDataObject[];
    const items = (typeof raw === "string" ? JSON.parse(raw) : raw) as IDataObject[];
    return [items.map((json) => ({ json }))];
  },
};

export interface RunWorkflowInput {
  types: Types;
  /** Nodes as in an exported workflow; the one named `startNode` (default "Start") runs first. */
  nodes: INode[];
  connections: IConnections;
  credentials?: CredentialsData;
  startNode?: string;
}

export interface WorkflowResult {
  run: IRun;
  /** The JSON of each item per output of the node's first run (`[]` for an output with no items). */
  outputs(nodeName: string): IDataObject[][];
  /** The node's first-run error message, if it failed. */
  errorOf(nodeName: string): string | undefined;
}

/** Runs a workflow through n8n's own engine (`WorkflowExecute`, mode `manual`), to the end. */
export async function runWorkflow(input: RunWorkflowInput): Promise<WorkflowResult> {
  const workflowData: IWorkflowBase = {
    id: randomUUID(),
    name: "harness workflow",
    active: false,
    isArchived: false,
    nodes: input.nodes,
    connections: input.connections,
    createdAt: new Date(),
    updatedAt: new Date(),
    activeVersionId: null,
  } as IWorkflowBase;
  const workflow = new Workflow({ ...workflowData, nodeTypes: input.types.nodeTypes, staticData: {} });
  const executionId = randomUUID();
  const additionalData = createAdditionalData({
    credentialsHelper: new MemoryCredentialsHelper(input.types.credentialTypes, input.credentials ?? {}),
    hooks: new ExecutionLifecycleHooks("manual", executionId, workflowData),
    executionId,
  });
  const startNode = workflow.getNode(input.startNode ?? "Start");
  if (!startNode) throw new Error(`no node named ${input.startNode ?? "Start"} in the workflow`);
  const run = await new WorkflowExecute(additionalData, "manual").run({ workflow, startNode });
  const taskOf = (nodeName: string) => {
    const task = run.data.resultData.runData[nodeName]?.[0];
    if (!task) {
      const ran = Object.keys(run.data.resultData.runData).join(", ");
      throw new Error(`node ${nodeName} did not run (ran: ${ran}; workflow error: ${run.data.resultData.error?.message ?? "none"})`);
    }
    return task;
  };
  return {
    run,
    outputs: (nodeName) => (taskOf(nodeName).data?.main ?? []).map((items) => (items ?? []).map((i) => i.json)),
    errorOf: (nodeName) => taskOf(nodeName).error?.message,
  };
}
