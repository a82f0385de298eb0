import { loadPackage, START_NODE_TYPE, startNodeType, typesOf, type Types } from "../harness";

/** The built n8n-nodes-tracira package and the harness's Start node, as n8n would know them. */
export async function traciraTypes(): Promise<Types> {
  return typesOf([await loadPackage()], { [START_NODE_TYPE]: startNodeType });
}

export const NODE = "n8n-nodes-tracira.tracira";
export const TRIGGER = "n8n-nodes-tracira.traciraTrigger";

/** `traciraApi` credential data for a backend. */
export const traciraCredentials = (backend: { url: string; token: string }, apiToken = backend.token) => ({
  traciraApi: { apiToken, baseUrl: backend.url },
});
