/**
 * A harness over n8n's own engine (n8n-core / n8n-workflow, no mocks of n8n): load a built community-node
 * package as n8n does, run workflows through `WorkflowExecute`, call loadOptions, credential tests, webhook
 * methods and `webhook()` with n8n-core's real contexts. Only what n8n's CLI would provide is supplied here:
 * credentials kept in memory (`MemoryCredentialsHelper`), the instance URLs (`createAdditionalData`), a
 * stand-in for the Manual Trigger (`startNodeType`) and for n8n's webhook server (`startTrigger`).
 */
export { createAdditionalData } from "./additional-data";
export { MemoryCredentialsHelper, nodeCredentials, type CredentialsData } from "./credentials";
export { testCredential } from "./credential-test";
export { loadOptions } from "./load-options";
export { runWorkflow, START_NODE_TYPE, startNodeType, type WorkflowResult } from "./run-workflow";
export { subtitleOf } from "./subtitle";
export { AGENT_NODE_TYPE, agentNodeType, toolVariantOf } from "./tool";
export { startTrigger, type Trigger, type WebhookCall } from "./trigger";
export { loadPackage, PACKAGE_DIR, typesOf, type LoadedPackage, type Types } from "./types";
