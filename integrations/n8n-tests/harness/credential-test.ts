import { CredentialTestContext, ExecuteContext, RoutingNode } from "n8n-core";
import {
  NodeConnectionTypes,
  Workflow,
  createEmptyRunExecutionData,
  type ICredentialDataDecryptedObject,
  type IDataObject,
  type INode,
  type INodeCredentialTestResult,
  type INodeType,
  type INodeTypes,
} from "n8n-workflow";
import { createAdditionalData } from "./additional-data";
import { MemoryCredentialsHelper } from "./credentials";
import type { Types } from "./types";

const get = (data: IDataObject, key: string): unknown =>
  key.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as IDataObject)[k] : undefined), data);

/**
 * Tests credentials the way n8n's CLI `CredentialsTester` does: with the credential type's own `test`
 * request when it declares one, else with the function a node names in `testedBy` (called with n8n-core's
 * `CredentialTestContext`). The `test` request runs as n8n runs it: a temporary node (n8n's No Op) whose only property routes the test request, run by
 * n8n-core's `RoutingNode` with the credentials applied; a non-2xx answer, a network error or a matching
 * `rules` entry is an `Error` result.
 */
export async function testCredential(
  types: Types,
  credentialType: string,
  data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
  const test = types.credentialTypes.getByName(credentialType).test;
  if (!test) return testedByNode(types, credentialType, data);
  const testNodeType: INodeType = {
    description: {
      displayName: "No Operation, do nothing",
      name: "n8n-nodes-base.noOp",
      group: ["organization"],
      version: 1,
      description: "No Operation",
      defaults: { name: "No Operation, do nothing" },
      inputs: [NodeConnectionTypes.Main],
      outputs: [NodeConnectionTypes.Main],
      credentials: [{ name: credentialType, required: true }],
      properties: [{ displayName: "Temp", name: "temp", type: "string", routing: { request: test.request }, default: "" }],
    },
  };
  const nodeTypes: INodeTypes = {
    getByName: () => testNodeType,
    getByNameAndVersion: () => testNodeType,
    getKnownTypes: () => ({}),
  };
  const credentialsDecrypted = { id: "1", name: `${credentialType} account`, type: credentialType, data };
  const node: INode = {
    id: "temp",
    name: "Temp-Node",
    type: testNodeType.description.name,
    typeVersion: 1,
    position: [0, 0],
    parameters: {},
    credentials: { [credentialType]: { id: credentialsDecrypted.id, name: credentialsDecrypted.name } },
  };
  const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
  const credentialsHelper = new MemoryCredentialsHelper(types.credentialTypes, { [credentialType]: data });
  // As the CLI: the stored data with the type's defaults applied.
  credentialsDecrypted.data = await credentialsHelper.getDecrypted(undefined, credentialsDecrypted, credentialType);
  const context = new ExecuteContext(
    workflow,
    node,
    createAdditionalData({ credentialsHelper }),
    "internal",
    createEmptyRunExecutionData(),
    0,
    [],
    { main: [[{ json: {} }]] },
    { node, data: {}, source: null },
    [],
  );
  let response;
  try {
    response = await new RoutingNode(context, testNodeType, credentialsDecrypted).runNode();
  } catch (error: any) {
    const status: number | undefined = error.cause?.response?.status;
    if (status !== undefined) {
      const rule = test.rules?.find((r) => r.type === "responseCode" && r.properties.value === status);
      if (rule) return { status: "Error", message: rule.properties.message };
      if (status < 199 || status > 299)
        return { status: "Error", message: error.cause.response.statusText || `Received HTTP status code: ${status}` };
    } else if (error.cause?.code) {
      return { status: "Error", message: error.cause.code };
    }
    return { status: "Error", message: String(error.message) };
  }
  for (const rule of test.rules ?? []) {
    if (rule.type === "responseSuccessBody" && get(response?.[0]?.[0]?.json ?? {}, rule.properties.key) === rule.properties.value) {
      return { status: "Error", message: rule.properties.message };
    }
  }
  return { status: "OK", message: "Connection successful!" };
}

/** The first node that names a test function for the credential (`credentials[].testedBy`), as the CLI looks it up. */
async function testedByNode(
  types: Types,
  credentialType: string,
  data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
  for (const name of types.credentialTypes.getSupportedNodes(credentialType)) {
    const nodeType = types.nodeTypes.getByNameAndVersion(name);
    const testedBy = nodeType.description.credentials?.find((c) => c.name === credentialType)?.testedBy;
    if (typeof testedBy !== "string") continue;
    const fn = nodeType.methods?.credentialTest?.[testedBy];
    if (!fn) throw new Error(`${name} names ${testedBy} in testedBy but has no methods.credentialTest.${testedBy}`);
    const credentialsHelper = new MemoryCredentialsHelper(types.credentialTypes, { [credentialType]: data });
    const credentials = { id: "1", name: `${credentialType} account`, type: credentialType, data };
    credentials.data = await credentialsHelper.getDecrypted(undefined, credentials, credentialType);
    return fn.call(new CredentialTestContext(), credentials);
  }
  throw new Error(`${credentialType} declares no test request and no node tests it (testedBy)`);
}
