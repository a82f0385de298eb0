import type {
	IDataObject,
	IHookFunctions,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { testTraciraApi } from '../Tracira/credential-test';
import { getProjectFilters, getTaskFilters } from '../Tracira/load-options';
import { isNotFound, traciraApiRequest } from '../Tracira/transport';
import { SIGNATURE_HEADER, type HookEvent } from '../generated/contract';
import { verifySignature } from '../generated/signature';

/** What the subscription is for: the node's settings, as POST /api/hooks takes them. */
interface Subscription {
	url: string;
	events: string[];
	project?: string;
	task?: string;
}

/** The events a subscription can ask for (their values are the generated contract's hook events). */
const EVENT_OPTIONS: Array<INodePropertyOptions & { value: HookEvent }> = [
	{
		name: 'Any Evaluation',
		value: 'log.evaluated',
		description: 'An output got its final status, whatever it is',
	},
	{
		name: 'Error',
		value: 'log.error',
		description: 'An evaluation ended with an error',
	},
	{
		name: 'Flagged',
		value: 'log.flagged',
		description: 'An output was flagged by a rule',
	},
	{
		name: 'Human Decision',
		value: 'log.decided',
		description: 'Someone approved or rejected a log',
	},
	{
		name: 'Passed',
		value: 'log.passed',
		description: 'An output passed every rule',
	},
];

/** "On Flagged, Human Decision": the chosen events by their names, for the canvas subtitle. */
const EVENT_NAMES = JSON.stringify(Object.fromEntries(EVENT_OPTIONS.map((o) => [o.value, o.name])));
const SUBTITLE = `={{ "On " + ($parameter["events"] || []).map((event) => (${EVENT_NAMES})[event] || event).join(", ") }}`;

/** Static-data keys (`getWorkflowStaticData('node')`). */
const WEBHOOK_ID = 'webhookId';
const SIGNING_SECRET = 'signingSecret';

function wantedSubscription(this: IHookFunctions): Subscription {
	const url = this.getNodeWebhookUrl('default') as string;
	const events = (this.getNodeParameter('events', []) as string[]).filter(Boolean);
	const project = String(this.getNodeParameter('project', '') ?? '').trim();
	const task = String(this.getNodeParameter('task', '') ?? '').trim();
	if (events.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Choose at least one event to listen for');
	}
	return { url, events, ...(project ? { project } : {}), ...(task ? { task } : {}) };
}

function sameSubscription(hook: IDataObject, wanted: Subscription): boolean {
	const events = Array.isArray(hook.events) ? (hook.events as string[]) : [];
	return (
		hook.url === wanted.url &&
		events.length === wanted.events.length &&
		wanted.events.every((event) => events.includes(event)) &&
		(hook.project ?? undefined) === wanted.project &&
		(hook.task ?? undefined) === wanted.task
	);
}

/** The exact bytes Tracira signed: the raw request body (n8n keeps it as `rawBody`). */
async function rawBodyOf(this: IWebhookFunctions): Promise<string | Buffer> {
	const req = this.getRequestObject() as unknown as {
		rawBody?: Buffer | string;
		readRawBody?: () => Promise<void>;
		_body?: boolean;
	};
	if (req.rawBody === undefined && !req._body && typeof req.readRawBody === 'function') {
		await req.readRawBody();
	}
	if (Buffer.isBuffer(req.rawBody) || typeof req.rawBody === 'string') return req.rawBody;
	return JSON.stringify(this.getBodyData());
}

export class TraciraTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tracira Trigger',
		name: 'traciraTrigger',
		icon: { light: 'file:../../icons/tracira.svg', dark: 'file:../../icons/tracira.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: SUBTITLE,
		description:
			'Starts the workflow when Tracira evaluates an AI output or someone approves or rejects it',
		defaults: {
			name: 'Tracira Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'traciraApi',
				required: true,
				testedBy: 'traciraApiTest',
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['log.flagged'],
				description: 'The events that start the workflow',
				options: EVENT_OPTIONS,
			},
			{
				displayName: 'Project Name or ID',
				name: 'project',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getProjectFilters' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'Only events of this project start the workflow',
			},
			{
				displayName: 'Task Name or ID',
				name: 'task',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTaskFilters', loadOptionsDependsOn: ['project'] },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'Only events of this task start the workflow',
			},
		],
	};

	methods = {
		credentialTest: { traciraApiTest: testTraciraApi },
		loadOptions: { getProjectFilters, getTaskFilters },
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const staticData = this.getWorkflowStaticData('node');
				const webhookId = staticData[WEBHOOK_ID];
				if (typeof webhookId !== 'string' || typeof staticData[SIGNING_SECRET] !== 'string') {
					// The static data was lost (a restart, a re-import): a subscription of this URL left
					// behind cannot be verified without its secret, so it goes before a new one is made.
					await removeSubscription.call(this);
					return false;
				}
				const wanted = wantedSubscription.call(this);
				const answer = (await traciraApiRequest.call(this, 'GET', '/api/hooks')) as {
					hooks?: IDataObject[];
				};
				const hook = (answer?.hooks ?? []).find((h) => h.id === webhookId);
				if (hook && sameSubscription(hook, wanted)) return true;

				// Gone, or subscribed with other settings: start again with a fresh subscription.
				if (hook) await removeSubscription.call(this);
				delete staticData[WEBHOOK_ID];
				delete staticData[SIGNING_SECRET];
				return false;
			},

			async create(this: IHookFunctions): Promise<boolean> {
				const wanted = wantedSubscription.call(this);
				const hook = (await traciraApiRequest.call(this, 'POST', '/api/hooks', {
					...wanted,
					source: 'n8n',
				} as unknown as IDataObject)) as IDataObject;
				if (typeof hook?.id !== 'string' || typeof hook.signingSecret !== 'string') {
					throw new NodeOperationError(
						this.getNode(),
						'Tracira did not answer a subscription id and signing secret',
					);
				}
				const staticData = this.getWorkflowStaticData('node');
				staticData[WEBHOOK_ID] = hook.id;
				staticData[SIGNING_SECRET] = hook.signingSecret;
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				await removeSubscription.call(this);
				const staticData = this.getWorkflowStaticData('node');
				delete staticData[WEBHOOK_ID];
				delete staticData[SIGNING_SECRET];
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const staticData = this.getWorkflowStaticData('node');
		const secret = typeof staticData[SIGNING_SECRET] === 'string' ? staticData[SIGNING_SECRET] : '';
		const header = this.getHeaderData()[SIGNATURE_HEADER.toLowerCase()];
		const signature = Array.isArray(header) ? header[0] : header;
		const rawBody = await rawBodyOf.call(this);

		if (!verifySignature(secret, signature, rawBody, Math.floor(Date.now() / 1000))) {
			const res = this.getResponseObject();
			res.status(401).json({ error: 'Invalid or missing X-Tracira-Signature' });
			return { noWebhookResponse: true };
		}

		return { workflowData: [this.helpers.returnJsonArray(this.getBodyData())] };
	}
}

/**
 * Removes this node's subscriptions from Tracira: the one in the static data, and any other of this
 * node's webhook URL (left behind when the static data was lost). One already gone counts as removed.
 */
async function removeSubscription(this: IHookFunctions): Promise<void> {
	const stored = this.getWorkflowStaticData('node')[WEBHOOK_ID];
	const url = this.getNodeWebhookUrl('default');
	const answer = (await traciraApiRequest.call(this, 'GET', '/api/hooks')) as {
		hooks?: IDataObject[];
	};
	const ids = new Set((answer?.hooks ?? []).filter((h) => h.url === url).map((h) => String(h.id)));
	if (typeof stored === 'string' && stored) ids.add(stored);
	for (const id of ids) {
		try {
			await traciraApiRequest.call(this, 'DELETE', `/api/hooks/${encodeURIComponent(id)}`);
		} catch (error) {
			if (!isNotFound(error)) throw new NodeApiError(this.getNode(), error as JsonObject);
		}
	}
}
