import type { INodeProperties } from 'n8n-workflow';
import { showFor } from './common';

const forRule = showFor('rule');

export const ruleOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['rule'] } },
		options: [
			{
				name: 'Test',
				value: 'test',
				description: 'Try an unsaved rule on an output; nothing is stored',
				action: 'Test a rule',
			},
		],
		default: 'test',
	},
];

export const ruleFields: INodeProperties[] = [
	{
		displayName: 'Rule Type',
		name: 'ruleType',
		type: 'options',
		required: true,
		default: 'keyword_forbidden',
		displayOptions: forRule(['test']),
		options: [
			{
				name: 'Confidence Threshold',
				value: 'confidence_threshold',
				description: 'Triggers when the confidence is below the value (e.g. 0.8) or missing',
			},
			{
				name: 'JSON Field',
				value: 'json_field',
				description:
					'Triggers when the output is not JSON or the field (e.g. customer.email) is empty',
			},
			{
				name: 'JSON Field Keyword Forbidden',
				value: 'json_field_keyword_forbidden',
				description: 'Triggers when the field contains a keyword (e.g. reply.text: lawsuit)',
			},
			{
				name: 'JSON Field Keyword Required',
				value: 'json_field_keyword_required',
				description: 'Triggers when the field lacks a keyword (e.g. reply.text: thanks, sorry)',
			},
			{
				name: 'Keyword Forbidden',
				value: 'keyword_forbidden',
				description: 'Triggers when any keyword is present (e.g. guarantee, lawsuit)',
			},
			{
				name: 'Keyword Required',
				value: 'keyword_required',
				description: 'Triggers when any keyword is absent (e.g. refund, sorry)',
			},
			{
				name: 'Length Limit',
				value: 'length_limit',
				description: 'Triggers when the length is outside the limit (e.g. 500 or 20-500)',
			},
			{
				name: 'LLM Judge',
				value: 'llm_judge',
				description: 'Triggers when a judge model says the output fails the criteria',
			},
			{
				name: 'Regex Match',
				value: 'regex_match',
				description: 'Triggers when the output does not match the pattern (e.g. /^order #\\d+/i)',
			},
		],
	},
	{
		displayName: 'Rule Value',
		name: 'ruleValue',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'refund, guarantee',
		description:
			'What the rule checks: keywords, a pattern, a length, a JSON path or judge criteria',
		displayOptions: forRule(['test']),
	},
	{
		displayName: 'Output',
		name: 'output',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 4 },
		description: 'The text to test the rule on',
		displayOptions: forRule(['test']),
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: forRule(['test']),
		options: [
			{
				displayName: 'Confidence',
				name: 'confidence',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				description: 'The confidence to test a confidence threshold rule with, from 0 to 1',
			},
			{
				displayName: 'Input',
				name: 'input',
				type: 'string',
				default: '',
				description: 'The prompt, shown to an LLM judge',
			},
		],
	},
];
