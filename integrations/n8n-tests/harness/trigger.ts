import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";
import { HookContext, WebhookContext } from "n8n-core";
import {
  NodeHelpers,
  Workflow,
  type IDataObject,
  type IHttpRequestMethods,
  type INode,
  type INodeExecutionData,
  type INodeParameters,
  type IWebhookData,
  type IWebhookResponseData,
  type IWorkflowExecuteAdditionalData,
  type WebhookSetupMethodNames,
} from "n8n-workflow";
import { createAdditionalData } from "./additional-data";
import { MemoryCredentialsHelper, nodeCredentials, type CredentialsData } from "./credentials";
import type { Types } from "./types";

// n8n-core's own copy (the root node_modules may hold another version, for @n8n/node-cli).
const { parseIncomingMessage } = require(require.resolve("@n8n/backend-network", { paths: [require.resolve("n8n-core")] })) as {
  parseIncomingMessage: (req: Request) => void;
};

/** One request the harness's webhook server handed to the node, and what came of it. */
export interface WebhookCall {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** What the server answered. */
  status: number;
  /** Items the node emitted to start the workflow (undefined: it started nothing). */
  workflowData?: INodeExecutionData[][];
}

export interface TriggerInput {
  types: Types;
  /** Full node type name, e.g. `n8n-nodes-tracira.traciraTrigger`. */
  nodeType: string;
  typeVersion?: number;
  parameters?: INodeParameters;
  credentials?: CredentialsData;
}

export interface Trigger {
  /** The URL n8n gives the node for its `default` webhook (`getNodeWebhookUrl('default')`). */
  webhookUrl: string;
  /** The node's workflow static data (`getWorkflowStaticData('node')`), live. */
  staticData(): IDataObject;
  /** Calls `webhookMethods.default[method]` with a real `HookContext` (mode `trigger`, as on activation). */
  webhookMethod(method: WebhookSetupMethodNames): Promise<boolean | undefined>;
  /** Every request the webhook server handled. */
  calls: WebhookCall[];
  close(): Promise<void>;
}

/**
 * A trigger node in a one-node active workflow, with a real HTTP server on 127.0.0.1 standing in for n8n's
 * webhook server: it reads the raw body as n8n does (`req.rawBody`, then the parsed `req.body`), finds the
 * registered webhook by method and path, calls the node's `webhook()` with a real `WebhookContext` around
 * the real request and response, and answers as n8n does for a `responseMode: onReceived` webhook.
 */
export async function startTrigger(input: TriggerInput): Promise<Trigger> {
  const calls: WebhookCall[] = [];
  let handle: (req: Request, res: Response) => Promise<void> = async () => undefined;
  const app = express();
  app.disable("x-powered-by");
  app.use(async (req, res) => {
    try {
      await handle(req, res);
    } catch (error) {
      if (!res.headersSent) res.status(500).json({ code: 0, message: (error as Error).message });
    }
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const nodeType = input.types.nodeTypes.getByNameAndVersion(input.nodeType, input.typeVersion);
  const node: INode = {
    id: randomUUID(),
    name: nodeType.description.defaults.name ?? "Trigger",
    type: input.nodeType,
    typeVersion:
      input.typeVersion ??
      (Array.isArray(nodeType.description.version) ? nodeType.description.version.at(-1)! : nodeType.description.version),
    position: [0, 0],
    webhookId: randomUUID(),
    parameters: input.parameters ?? {}, // the Workflow adds the defaults
    ...(input.credentials ? { credentials: nodeCredentials(input.credentials) } : {}),
  };
  const workflow = new Workflow({
    id: randomUUID(),
    name: "harness trigger",
    nodes: [node],
    connections: {},
    active: true,
    nodeTypes: input.types.nodeTypes,
    staticData: {},
  });
  const credentialsHelper = new MemoryCredentialsHelper(input.types.credentialTypes, input.credentials ?? {});
  const additionalData = (extra: Partial<IWorkflowExecuteAdditionalData> = {}) => ({
    ...createAdditionalData({ credentialsHelper, instanceBaseUrl: base }),
    ...extra,
  });
  const webhooks = nodeWebhooks(workflow, node, additionalData());
  const webhook = webhooks.find((w) => w.webhookDescription.name === "default");
  if (!webhook) throw new Error(`${input.nodeType} has no default webhook`);

  handle = async (req, res) => {
    const rawBody = await readRawBody(req);
    const found = webhooks.find((w) => w.httpMethod === req.method && `/webhook/${w.path}` === req.path);
    const call: WebhookCall = {
      method: req.method,
      path: req.path,
      headers: { ...req.headers },
      rawBody: rawBody.toString("utf8"),
      status: 0,
    };
    calls.push(call);
    res.on("finish", () => (call.status = res.statusCode));
    if (!found) {
      res.status(404).json({ code: 404, message: `The requested webhook "${req.method} ${req.path}" is not registered.` });
      return;
    }
    const context = new WebhookContext(workflow, node, additionalData({ httpRequest: req, httpResponse: res }), "webhook", found, [], null);
    const result = (await nodeType.webhook!.call(context)) as IWebhookResponseData;
    call.workflowData = result.workflowData;
    if (result.noWebhookResponse) return; // the node answered itself
    const code = Number(found.webhookDescription.responseCode ?? 200);
    if (result.workflowData === undefined) res.status(code).json(result.webhookResponse ?? { message: "Webhook call received" });
    else res.status(code).json({ message: "Workflow was started" });
  };

  const hookContext = (method: WebhookSetupMethodNames) =>
    new HookContext(workflow, node, webhook.workflowExecuteAdditionalData, "trigger", method === "delete" ? "update" : "activate", webhook);
  return {
    webhookUrl: hookContext("checkExists").getNodeWebhookUrl("default")!,
    staticData: () => workflow.getStaticData("node", node),
    async webhookMethod(method) {
      const fn = nodeType.webhookMethods?.default?.[method];
      if (!fn) throw new Error(`${input.nodeType} has no webhookMethods.default.${method}`);
      return await fn.call(hookContext(method));
    },
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** As n8n's CLI `WebhookService.getNodeWebhooks`: one registration per webhook description and method. */
function nodeWebhooks(workflow: Workflow, node: INode, additionalData: IWorkflowExecuteAdditionalData): IWebhookData[] {
  const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
  const value = <T>(v: unknown, fallback?: T) =>
    workflow.expression.getSimpleParameterValue(node, v as string, "internal", {}, undefined, fallback as never);
  return (nodeType.description.webhooks ?? []).flatMap((description) => {
    const nodePath = String(value(description.path)).replace(/^\//, "").replace(/\/$/, "");
    const path = NodeHelpers.getNodeWebhookPath(
      workflow.id,
      node,
      nodePath,
      value(description.isFullPath, false) as boolean,
      value(description.restartWebhook, false) as boolean,
    );
    return String(value(description.httpMethod, "GET"))
      .split(",")
      .filter(Boolean)
      .map((method) => ({
        httpMethod: method.trim() as IHttpRequestMethods,
        node: node.name,
        path,
        webhookDescription: description,
        workflowId: workflow.id,
        workflowExecuteAdditionalData: additionalData,
      }));
  });
}

/** As n8n's `rawBodyReader` + `parseBody`: `req.rawBody` is the bytes as received; `req.body` is parsed. */
async function readRawBody(req: Request): Promise<Buffer> {
  parseIncomingMessage(req);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const r = req as Request & { rawBody: Buffer; contentType?: string; encoding?: BufferEncoding };
  r.rawBody = raw;
  const text = raw.toString(r.encoding ?? "utf8");
  if (raw.length && r.contentType === "application/json") r.body = JSON.parse(text);
  else if (raw.length && r.contentType === "application/x-www-form-urlencoded") r.body = Object.fromEntries(new URLSearchParams(text));
  else if (raw.length && r.contentType === "text/plain") r.body = text;
  else r.body ??= {};
  return raw;
}
