import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import {
	SPAN_KIND_LABELS,
	SPAN_KINDS,
	SPAN_STATUS_LABELS,
	SPAN_STATUSES,
} from '../../generated/contract';
import { gateField, showFor } from './common';

const forTrace = showFor('trace');

const byName = (a: INodePropertyOptions, b: INodePropertyOptions) => a.name.localeCompare(b.name);

export const traceOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['trace'] } },
		options: [
			{
				name: 'Add Step',
				value: 'addStep',
				description:
					'Record one step of a run (an LLM call, a tool call…) in the trace of a log; the final step ends the run',
				action: 'Add a step to a trace',
			},
		],
		default: 'addStep',
	},
];

export const traceFields: INodeProperties[] = [
	{
		displayName: 'Log ID',
		name: 'logId',
		type: 'string',
		required: true,
		default: '',
		description:
			'The ID Log Execution answered (with Wait for Final Step on): the run this step belongs to',
		displayOptions: forTrace(['addStep']),
	},
	{
		displayName: 'Kind',
		name: 'kind',
		type: 'options',
		default: 'llm',
		options: SPAN_KINDS.map((value) => ({ name: SPAN_KIND_LABELS[value], value })).sort(byName),
		description: 'What the step was',
		displayOptions: forTrace(['addStep']),
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Draft reply',
		description: 'What this step did, as the trace shows it',
		displayOptions: forTrace(['addStep']),
	},
	{
		displayName: 'Final Step',
		name: 'final',
		type: 'boolean',
		// It decides whether the gate (and so the node's outputs) is offered, so it is a plain switch.
		noDataExpression: true,
		default: false,
		description:
			"Whether this step ends the run: the log is checked now (its output is this step's, if the log was sent without one)",
		displayOptions: forTrace(['addStep']),
	},
	{
		...gateField,
		description:
			'Whether to wait for the verdict of the run and route each item to the Pass, Flagged or Error output. An evaluation that outlasts the server timeout answers "pending" and goes to Error.',
		displayOptions: { show: { resource: ['trace'], operation: ['addStep'], final: [true] } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: forTrace(['addStep']),
		options: [
			{
				displayName: 'Cost (USD)',
				name: 'costUsd',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0, numberPrecision: 6 },
				description: 'What the step cost, in US dollars',
			},
			{
				displayName: 'Duration (Ms)',
				name: 'durationMs',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'How long the step took, in milliseconds (it is taken to have ended now)',
			},
			{
				displayName: 'Error',
				name: 'error',
				type: 'string',
				default: '',
				description: 'What went wrong; the step then has the status Error unless another is chosen',
			},
			{
				displayName: 'Input',
				name: 'input',
				type: 'string',
				default: '',
				typeOptions: { rows: 2 },
				description: 'What the step was given: the prompt, the tool arguments…',
			},
			{
				displayName: 'Input Tokens',
				name: 'inputTokens',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
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
				displayName: 'Output',
				name: 'output',
				type: 'string',
				default: '',
				typeOptions: { rows: 2 },
				description: 'What the step produced',
			},
			{
				displayName: 'Output Tokens',
				name: 'outputTokens',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
			},
			{
				displayName: 'Parent Step ID',
				name: 'parentStepId',
				type: 'string',
				default: '',
				description:
					'The Step ID of the step this one ran inside; without one, the step is a top-level step of the run',
			},
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'string',
				default: '',
				placeholder: 'e.g. openai',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'ok',
				options: SPAN_STATUSES.map((value) => ({ name: SPAN_STATUS_LABELS[value], value })).sort(
					byName,
				),
			},
			{
				displayName: 'Step ID',
				name: 'id',
				type: 'string',
				default: '',
				description:
					'Your own ID for the step (letters, digits and . _ : -), for other steps to name as their parent. Sending the same ID again updates that step. Defaults to a new ID.',
			},
		],
	},
];
