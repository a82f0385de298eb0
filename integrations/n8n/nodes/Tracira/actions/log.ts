import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { traciraApiRequest, traciraApiRequestAllItems } from '../transport';
import type { OperationHandler } from './types';

const logPath = (id: string) => `/api/logs/${encodeURIComponent(id)}`;

/** A date-time parameter (text, Date or Luxon DateTime) as ISO 8601 text. */
function toIsoText(value: unknown): string {
	if (value instanceof Date) return value.toISOString();
	if (
		value &&
		typeof value === 'object' &&
		typeof (value as { toISO?: unknown }).toISO === 'function'
	) {
		return String((value as { toISO: () => string }).toISO());
	}
	return String(value);
}

function isEmpty(value: unknown): boolean {
	return (
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
	);
}

function parseMetadata(
	this: IExecuteFunctions,
	value: unknown,
	itemIndex: number,
): IDataObject | undefined {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), 'Metadata must be valid JSON', {
				itemIndex,
				description: (error as Error).message,
			});
		}
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeOperationError(
			this.getNode(),
			'Metadata must be a JSON object of key-value pairs',
			{
				itemIndex,
			},
		);
	}
	return Object.keys(parsed).length ? (parsed as IDataObject) : undefined;
}

/** The optional fields of POST /api/logs, leaving out the ones left empty. */
function optionalLogFields(
	this: IExecuteFunctions,
	fields: IDataObject,
	itemIndex: number,
): IDataObject {
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(fields)) {
		if (isEmpty(value)) continue;
		if (key === 'metadata') {
			const metadata = parseMetadata.call(this, value, itemIndex);
			if (metadata) body.metadata = metadata;
		} else if (key === 'timestamp') {
			body.timestamp = toIsoText(value);
		} else {
			body[key] = value as IDataObject[string];
		}
	}
	return body;
}

export const logExecution: OperationHandler = async function (this, i) {
	const body: IDataObject = {
		project: this.getNodeParameter('project', i) as string,
		output: this.getNodeParameter('output', i) as IDataObject[string],
		...optionalLogFields.call(
			this,
			this.getNodeParameter('additionalFields', i, {}) as IDataObject,
			i,
		),
	};
	if (this.getNodeParameter('gate', i, false) === true) body.sync = true;
	return (await traciraApiRequest.call(this, 'POST', '/api/logs', body)) as IDataObject;
};

export const getLog: OperationHandler = async function (this, i) {
	const id = this.getNodeParameter('logId', i) as string;
	return (await traciraApiRequest.call(this, 'GET', logPath(id))) as IDataObject;
};

export const getLogStatus: OperationHandler = async function (this, i) {
	const id = this.getNodeParameter('logId', i) as string;
	return (await traciraApiRequest.call(this, 'GET', `${logPath(id)}/status`)) as IDataObject;
};

export const deleteLog: OperationHandler = async function (this, i) {
	const id = this.getNodeParameter('logId', i) as string;
	const answer = (await traciraApiRequest.call(this, 'DELETE', logPath(id))) as IDataObject;
	return { ...answer, id, deleted: true };
};

function decide(decision: 'approved' | 'rejected'): OperationHandler {
	return async function (this, i) {
		const id = this.getNodeParameter('logId', i) as string;
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const body: IDataObject = { decision, source: 'n8n' };
		if (!isEmpty(options.decidedBy)) body.decidedBy = options.decidedBy;
		const answer = (await traciraApiRequest.call(
			this,
			'PATCH',
			`${logPath(id)}/decision`,
			body,
		)) as IDataObject;
		return { ...answer, id, decision };
	};
}

export const approveLog = decide('approved');
export const rejectLog = decide('rejected');

export const getManyLogs: OperationHandler = async function (this, i) {
	const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
	const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const qs: IDataObject = {};
	for (const [key, value] of Object.entries({ ...filters, ...options })) {
		if (isEmpty(value)) continue;
		qs[key] = key === 'from' || key === 'to' ? toIsoText(value) : (value as IDataObject[string]);
	}
	const max = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
	return await traciraApiRequestAllItems.call(
		this,
		'executions',
		'GET',
		'/api/logs',
		undefined,
		qs,
		max,
	);
};
