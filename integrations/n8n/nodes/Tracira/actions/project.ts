import type { IDataObject } from 'n8n-workflow';
import { traciraApiRequest } from '../transport';
import type { OperationHandler } from './types';

export const createProject: OperationHandler = async function (this, i) {
	const body: IDataObject = { name: this.getNodeParameter('name', i) as string };
	const fields = this.getNodeParameter('additionalFields', i, {}) as IDataObject;
	if (typeof fields.icon === 'string' && fields.icon.trim() !== '') body.icon = fields.icon;
	return (await traciraApiRequest.call(this, 'POST', '/api/projects', body)) as IDataObject;
};

export const getManyProjects: OperationHandler = async function (this, i) {
	const projects = (await traciraApiRequest.call(this, 'GET', '/api/projects')) as IDataObject[];
	const list = Array.isArray(projects) ? projects : [];
	if (this.getNodeParameter('returnAll', i, false) as boolean) return list;
	return list.slice(0, this.getNodeParameter('limit', i, 50) as number);
};
