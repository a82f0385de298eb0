import type { INodeProperties } from 'n8n-workflow';
import { gateField, paginationFields, showFor } from './common';

const forLog = showFor('log');

export const logOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['log'] } },
		options: [
			{
				name: 'Approve',
				value: 'approve',
				description: 'Record a human approval of a log',
				action: 'Approve a log',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a log',
				action: 'Delete a log',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get a log with its applied rules and attachments',
				action: 'Get a log',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get many logs, filtered and sorted',
				action: 'Get many logs',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Get the status and verdict of a log',
				action: 'Get the status of a log',
			},
			{
				name: 'Log Execution',
				value: 'create',
				description: 'Send an AI output to Tracira to be checked against your rules',
				action: 'Log an AI output',
			},
			{
				name: 'Reject',
				value: 'reject',
				description: 'Record a human rejection of a log',
				action: 'Reject a log',
			},
		],
		default: 'create',
	},
];

const outputField: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'string',
	default: '',
	typeOptions: { rows: 4 },
	placeholder: "e.g. the AI Agent's output, mapped from the previous node",
	description:
		'The AI-generated text to check. A JSON object or array is accepted and stored as its JSON text.',
};

const logExecutionFields: INodeProperties[] = [
	{
		displayName: 'Project Name or ID',
		name: 'project',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getProjects' },
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'To start a new project, give its name as an expression: the first log creates it',
		displayOptions: forLog(['create']),
	},
	{
		displayName: 'Wait for Final Step',
		name: 'awaitFinalStep',
		type: 'boolean',
		// It decides whether Output is required and the gate is offered, so it is a plain switch.
		noDataExpression: true,
		default: false,
		description:
			'Whether this log is a run of steps: it stays pending while Trace → Add Step records the steps, and is checked when the step marked Final Step arrives (gate on the verdict there)',
		displayOptions: forLog(['create']),
	},
	{
		...outputField,
		required: true,
		displayOptions: { show: { resource: ['log'], operation: ['create'], awaitFinalStep: [false] } },
	},
	{
		...outputField,
		hint: "Optional: left empty, the final step's output (else the last LLM step's) is checked",
		displayOptions: { show: { resource: ['log'], operation: ['create'], awaitFinalStep: [true] } },
	},
	{
		...gateField,
		description:
			'Whether to wait for the verdict and route each item to the Pass, Flagged or Error output. An evaluation that outlasts the server timeout answers "pending" and goes to Error with its log ID.',
		displayOptions: { show: { resource: ['log'], operation: ['create'], awaitFinalStep: [false] } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: forLog(['create']),
		options: [
			{
				displayName: 'Actor ID',
				name: 'actorId',
				type: 'string',
				default: '',
				description: 'Who or what acted: the end user, agent or bot',
			},
			{
				displayName: 'Callback Events',
				name: 'callbackEvents',
				type: 'options',
				default: 'all',
				description: 'Which events are POSTed to the Callback URL',
				options: [
					{
						name: 'All',
						value: 'all',
						description: 'Every evaluation and every decision',
					},
					{
						name: 'Decisions',
						value: 'decisions',
						description: 'Only human approvals and rejections',
					},
					{
						name: 'Flagged or Error',
						value: 'flagged_error',
						description: 'Evaluations that end flagged or error',
					},
					{
						name: 'Flagged, Error and Decisions',
						value: 'flagged_error_decisions',
						description: 'Evaluations that end flagged or error, and decisions',
					},
					{
						name: 'Pass',
						value: 'pass',
						description: 'Evaluations that end pass',
					},
				],
			},
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. the resume URL of a Wait node',
				description:
					"URL Tracira POSTs this log's events to. Use {{ $execution.resumeUrl }} to resume a Wait node.",
			},
			{
				displayName: 'Confidence',
				name: 'confidence',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				description: "The model's own confidence, from 0 to 1 (read by confidence threshold rules)",
			},
			{
				displayName: 'Cost (USD)',
				name: 'costUsd',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, numberPrecision: 6 },
				description: 'What the AI call cost, in US dollars',
			},
			{
				displayName: 'Input',
				name: 'input',
				type: 'string',
				default: '',
				typeOptions: { rows: 2 },
				description: 'The prompt or input the AI answered',
			},
			{
				displayName: 'Latency (Ms)',
				name: 'latencyMs',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'How long the AI call took, in milliseconds',
			},
			{
				displayName: 'Log ID',
				name: 'id',
				type: 'string',
				default: '',
				description:
					'Your own ID for this log (letters, digits and . _ : ~ -). Sending the same ID again returns the stored log instead of creating a new one.',
			},
			{
				displayName: 'Metadata',
				name: 'metadata',
				type: 'json',
				default: '{}',
				description: 'Any JSON object of key-value pairs to store with the log',
			},
			{
				displayName: 'Model Name or ID',
				name: 'model',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getModels' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Session ID',
				name: 'sessionId',
				type: 'string',
				default: '',
				description: 'Conversation or thread the output belongs to',
			},
			{
				displayName: 'Subject ID',
				name: 'subjectId',
				type: 'string',
				default: '',
				description: 'What the output is about: a customer, ticket, record or account',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'billing, vip',
				description: 'Comma-separated tags',
			},
			{
				displayName: 'Task Name or ID',
				name: 'task',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getTasks', loadOptionsDependsOn: ['project'] },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
				hint: 'The step of the workflow within the project; a new one is given as an expression',
			},
			{
				displayName: 'Timestamp',
				name: 'timestamp',
				type: 'dateTime',
				default: '',
				description:
					'When the output was produced (defaults to now). A time without a zone is read as UTC.',
			},
			{
				displayName: 'Trace Parent',
				name: 'traceparent',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.headers.traceparent }}',
				description:
					'A W3C traceparent (00-trace ID-span ID-flags) to link this log to the trace it was sent from, such as the traceparent header of the webhook that started the workflow. Sent as the traceparent header.',
			},
		],
	},
];

const logIdField: INodeProperties = {
	displayName: 'Log ID',
	name: 'logId',
	type: 'string',
	required: true,
	default: '',
	description: 'The ID of the log',
	displayOptions: forLog(['get', 'getStatus', 'delete', 'approve', 'reject']),
};

const decisionFields: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: forLog(['approve', 'reject']),
		options: [
			{
				displayName: 'Decided By',
				name: 'decidedBy',
				type: 'string',
				default: '',
				description: 'Who made the decision (shown in Tracira). Defaults to "api".',
			},
		],
	},
];

const logGetManyFields: INodeProperties[] = [
	...paginationFields('log'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: forLog(['getAll']),
		options: [
			{
				displayName: 'Actor ID',
				name: 'actorId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'From',
				name: 'from',
				type: 'dateTime',
				default: '',
				description: 'Only logs at or after this time',
			},
			{
				displayName: 'Needs Review',
				name: 'pending',
				type: 'boolean',
				default: true,
				description: 'Whether to return only flagged or error logs that no one has decided yet',
			},
			{
				displayName: 'Project',
				name: 'project',
				type: 'string',
				default: '',
				description: 'Project name',
			},
			{
				displayName: 'Search',
				name: 'q',
				type: 'string',
				default: '',
				description: 'Text to look for in the input, output and explanation',
			},
			{
				displayName: 'Session ID',
				name: 'sessionId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'flagged',
				options: [
					{ name: 'Error', value: 'error' },
					{ name: 'Flagged', value: 'flagged' },
					{ name: 'Pass', value: 'pass' },
					{ name: 'Pending', value: 'pending' },
				],
			},
			{
				displayName: 'Subject ID',
				name: 'subjectId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '',
				placeholder: 'billing, vip',
				description: 'Comma-separated tags; a log must carry all of them',
			},
			{
				displayName: 'Task',
				name: 'task',
				type: 'string',
				default: '',
				description: 'Task name',
			},
			{
				displayName: 'To',
				name: 'to',
				type: 'dateTime',
				default: '',
				description: 'Only logs at or before this time',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: forLog(['getAll']),
		options: [
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'options',
				default: 'timestamp',
				options: [
					{ name: 'Cost', value: 'costUsd' },
					{ name: 'Latency', value: 'latencyMs' },
					{ name: 'Model', value: 'model' },
					{ name: 'Project', value: 'projectName' },
					{ name: 'Status', value: 'status' },
					{ name: 'Timestamp', value: 'timestamp' },
				],
			},
			{
				displayName: 'Sort Direction',
				name: 'sortDir',
				type: 'options',
				default: 'desc',
				options: [
					{ name: 'Ascending', value: 'asc' },
					{ name: 'Descending', value: 'desc' },
				],
			},
		],
	},
];

export const logFields: INodeProperties[] = [
	...logExecutionFields,
	logIdField,
	...decisionFields,
	...logGetManyFields,
];
