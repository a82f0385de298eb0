import type { IDataObject } from 'n8n-workflow';
import { traciraApiRequest } from '../transport';
import type { OperationHandler } from './types';

export const testRule: OperationHandler = async function (this, i) {
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const body: IDataObject = {
		rule: {
			type: this.getNodeParameter('ruleType', i) as string,
			value: this.getNodeParameter('ruleValue', i) as string,
		},
		output: this.getNodeParameter('output', i) as IDataObject[string],
	};
	if (typeof options.confidence === 'number') body.confidence = options.confidence;
	if (typeof options.input === 'string' && options.input.trim() !== '') body.input = options.input;
	return (await traciraApiRequest.call(this, 'POST', '/api/rules/evaluate', body)) as IDataObject;
};
