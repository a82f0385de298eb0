import type { IDataObject } from 'n8n-workflow';
import { traciraApiRequest, traciraApiRequestAllItems } from '../transport';
import { isEmpty, optionalFields, toIsoText } from './fields';
import type { OperationHandler } from './types';

export const logPath = (id: string) => `/api/logs/${encodeURIComponent(id)}`;

export const logExecution: OperationHandler = async function (this, i) {
	const awaitFinalStep = this.getNodeParameter('awaitFinalStep', i, false) === true;
	const output = this.getNodeParameter('output', i, '') as IDataObject[string];
	const { traceparent, ...fields } = this.getNodeParameter(
		'additionalFields',
		i,
		{},
	) as IDataObject;
	const body: IDataObject = {
		project: this.getNodeParameter('project', i) as string,
		// Waiting for the final step, an empty Output is left to that step.
		...(awaitFinalStep && isEmpty(output) ? {} : { output }),
		...optionalFields.call(this, fields, i),
	};
	if (awaitFinalStep) body.awaitFinalStep = true;
	else if (this.getNodeParameter('gate', i, false) === true) body.sync = true;
	const headers = isEmpty(traceparent) ? undefined : { traceparent: String(traceparent).trim() };
	return (await traciraApiRequest.call(
		this,
		'POST',
		'/api/logs',
		body,
		undefined,
		headers,
	)) as IDataObject;
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
