import { ExternalSecretsProxy, type ExecutionLifecycleHooks } from "n8n-core";
import type { ICredentialsHelper, INodeParameters, IWorkflowExecuteAdditionalData } from "n8n-workflow";

export interface AdditionalDataOptions {
  credentialsHelper: ICredentialsHelper;
  /** The n8n instance's base URL: webhook URLs are `<base>/webhook/...`, as n8n's defaults. */
  instanceBaseUrl?: string;
  hooks?: ExecutionLifecycleHooks;
  executionId?: string;
  currentNodeParameters?: INodeParameters;
}

const unsupported = (what: string) => () => {
  throw new Error(`${what} is not available in the test harness`);
};

/**
 * What n8n's CLI `WorkflowExecuteAdditionalData.getBase()` provides, for one instance with no database:
 * the URLs (n8n's default endpoint names), no variables, no sub-workflows, no task runners.
 */
export function createAdditionalData(options: AdditionalDataOptions): IWorkflowExecuteAdditionalData {
  const base = options.instanceBaseUrl ?? "http://127.0.0.1:5678";
  return {
    credentialsHelper: options.credentialsHelper,
    hooks: options.hooks,
    executionId: options.executionId,
    currentNodeParameters: options.currentNodeParameters,
    currentNodeExecutionIndex: 0,
    restApiUrl: `${base}/rest`,
    instanceBaseUrl: base,
    formBaseUrl: `${base}/form`,
    formWaitingBaseUrl: `${base}/form-waiting`,
    formTestBaseUrl: `${base}/form-test`,
    webhookBaseUrl: `${base}/webhook`,
    webhookWaitingBaseUrl: `${base}/webhook-waiting`,
    webhookTestBaseUrl: `${base}/webhook-test`,
    mcpBaseUrl: `${base}/mcp`,
    mcpTestBaseUrl: `${base}/mcp-test`,
    variables: {},
    externalSecretsProxy: new ExternalSecretsProxy(),
    logAiEvent: () => undefined,
    getRunExecutionData: async () => undefined,
    getRuntimeCredential: async () => undefined,
    executeWorkflow: unsupported("executeWorkflow (sub-workflows)"),
    startRunnerTask: unsupported("startRunnerTask (task runners)"),
  } as IWorkflowExecuteAdditionalData;
}
