import {
  ICredentialsHelper,
  NodeHelpers,
  isExpression,
  type ICredentialDataDecryptedObject,
  type ICredentials,
  type ICredentialTypes,
  type IHttpRequestOptions,
  type INode,
  type INodeCredentialsDetails,
  type INodeParameters,
  type INodeProperties,
  type IRequestOptionsSimplified,
  type Workflow,
} from "n8n-workflow";

/** Credential data by credential type name, as a user would have entered it in n8n. */
export type CredentialsData = Record<string, ICredentialDataDecryptedObject>;

/**
 * The part of n8n's CLI `CredentialsHelper` a node run needs, with the credentials held in memory instead
 * of n8n's database: `getDecrypted` returns the given data with the type's defaults applied, and
 * `authenticate` applies the credential type's `authenticate` — a function, or the generic block whose
 * `={{ $credentials.x }}` expressions are resolved by the workflow's own expression engine.
 */
export class MemoryCredentialsHelper extends ICredentialsHelper {
  constructor(
    private readonly credentialTypes: ICredentialTypes,
    private readonly data: CredentialsData,
  ) {
    super();
  }

  getParentTypes(name: string): string[] {
    return this.credentialTypes.getParentTypes(name);
  }

  isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
    if (!this.credentialTypes.recognizes(credentialType)) return true;
    if (!this.credentialTypes.getByName(credentialType).restrictToSupportedNodes) return true;
    return this.credentialTypes.getSupportedNodes(credentialType).includes(nodeType);
  }

  async authenticate(
    credentials: ICredentialDataDecryptedObject,
    typeName: string,
    requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
    workflow?: Workflow,
    node?: INode,
  ): Promise<IHttpRequestOptions> {
    const { authenticate } = this.credentialTypes.getByName(typeName);
    if (typeof authenticate === "function") return await authenticate(credentials, requestOptions as IHttpRequestOptions);
    if (authenticate?.type === "generic") {
      if (!workflow || !node) throw new Error("Workflow and node are required for declarative credential authentication");
      const resolve = (value: string) => {
        if (!isExpression(value)) return value;
        const resolved = workflow.expression.getSimpleParameterValue(node, value, "internal", { $credentials: credentials }, undefined, "");
        return resolved ? String(resolved) : "";
      };
      requestOptions.headers ??= {};
      for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
        const target = ((requestOptions as Record<string, any>)[outerKey] ??= {});
        for (const [key, value] of Object.entries(outerValue as Record<string, string>)) target[resolve(key)] = resolve(value);
      }
    }
    return requestOptions as IHttpRequestOptions;
  }

  /** n8n runs this only for credential types with an expirable hidden property (token refresh). */
  async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
    return undefined;
  }

  async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
    return undefined;
  }

  async getCredentials(_nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
    throw new Error(`the harness keeps credentials in memory; nothing reads stored ${type} credentials`);
  }

  async getDecrypted(
    _additionalData: unknown,
    nodeCredentials: INodeCredentialsDetails,
    type: string,
  ): Promise<ICredentialDataDecryptedObject> {
    const data = this.data[type];
    if (!data) throw new Error(`Credentials "${nodeCredentials.name}" of type "${type}" were not given to the harness`);
    // As n8n's `applyDefaultsAndOverwrites`: the type's defaults for every field not given.
    return NodeHelpers.getNodeParameters(
      this.getCredentialsProperties(type),
      { ...data } as INodeParameters,
      true,
      false,
      null,
      null,
    ) as ICredentialDataDecryptedObject;
  }

  async updateCredentials(): Promise<void> {
    throw new Error("the harness does not store credentials (no node here should update them)");
  }

  async updateCredentialsOauthTokenData(): Promise<void> {
    throw new Error("the harness does not store OAuth tokens");
  }

  getCredentialsProperties(type: string): INodeProperties[] {
    const credentialType = this.credentialTypes.getByName(type);
    if (!credentialType.extends) return credentialType.properties;
    const merged: INodeProperties[] = [];
    for (const parent of credentialType.extends) NodeHelpers.mergeNodeProperties(merged, this.getCredentialsProperties(parent));
    NodeHelpers.mergeNodeProperties(merged, credentialType.properties);
    return merged;
  }
}

/** Node `credentials` referencing each given credential type, as a saved workflow would. */
export function nodeCredentials(data: CredentialsData): INode["credentials"] {
  return Object.fromEntries(Object.keys(data).map((type, i) => [type, { id: String(i + 1), name: `${type} account` }]));
}
