import type { IDataObject } from 'n8n-workflow';
import { traciraApiRequest } from '../transport';
import { optionalFields } from './fields';
import { logPath } from './log';
import type { OperationHandler } from './types';

export const addStep: OperationHandler = async function (this, i) {
	const body: IDataObject = {
		kind: this.getNodeParameter('kind', i) as string,
		name: this.getNodeParameter('name', i) as string,
		...optionalFields.call(
			this,
			this.getNodeParameter('additionalFields', i, {}) as IDataObject,
			i,
		),
	};
	if (this.getNodeParameter('final', i, false) === true) {
		body.final = true;
		if (this.getNodeParameter('gate', i, false) === true) body.sync = true;
	}
	const logId = this.getNodeParameter('logId', i) as string;
	return (await traciraApiRequest.call(
		this,
		'POST',
		`${logPath(logId)}/steps`,
		body,
	)) as IDataObject;
};
