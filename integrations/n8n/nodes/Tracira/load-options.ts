import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { traciraApiRequest } from './transport';

/** The dropdowns both nodes fill from the API, so a typo cannot create a project or a trigger that never fires. */

async function projectNames(this: ILoadOptionsFunctions): Promise<string[]> {
	const projects = (await traciraApiRequest.call(this, 'GET', '/api/projects')) as Array<{
		name: string;
	}>;
	return (Array.isArray(projects) ? projects : []).map((p) => p.name);
}

async function taskNames(this: ILoadOptionsFunctions): Promise<string[]> {
	const project = String(this.getCurrentNodeParameter('project') ?? '').trim();
	const qs: IDataObject | undefined = project ? { project } : undefined;
	const tasks = (await traciraApiRequest.call(
		this,
		'GET',
		'/api/logs/tasks',
		undefined,
		qs,
	)) as string[];
	return Array.isArray(tasks) ? tasks : [];
}

const asOptions = (names: string[]): INodePropertyOptions[] =>
	names.map((name) => ({ name, value: name }));

/** The model presets served by GET /api/models (`[{ label, value }]`). */
export async function getModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const models = (await traciraApiRequest.call(this, 'GET', '/api/models')) as Array<{
		label: string;
		value: string;
	}>;
	return (Array.isArray(models) ? models : []).map((model) => ({
		name: model.label,
		value: model.value,
	}));
}

/** The workspace's projects (GET /api/projects). */
export async function getProjects(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return asOptions(await projectNames.call(this));
}

/** The chosen project's tasks, or every task (GET /api/logs/tasks). */
export async function getTasks(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return asOptions(await taskNames.call(this));
}

/** The trigger's project filter: "every project" first, then the projects. */
export async function getProjectFilters(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return [{ name: 'Every Project', value: '' }, ...asOptions(await projectNames.call(this))];
}

/** The trigger's task filter: "every task" first, then the chosen project's tasks. */
export async function getTaskFilters(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return [{ name: 'Every Task', value: '' }, ...asOptions(await taskNames.call(this))];
}
