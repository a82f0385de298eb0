import {
	approveLog,
	deleteLog,
	getLog,
	getLogStatus,
	getManyLogs,
	logExecution,
	rejectLog,
} from './log';
import { createProject, getManyProjects } from './project';
import { testRule } from './rule';
import { addStep } from './trace';
import type { OperationHandler } from './types';

/** resource → operation → what it does for one input item. */
export const operations: Record<string, Record<string, OperationHandler>> = {
	log: {
		create: logExecution,
		get: getLog,
		getStatus: getLogStatus,
		getAll: getManyLogs,
		delete: deleteLog,
		approve: approveLog,
		reject: rejectLog,
	},
	project: {
		create: createProject,
		getAll: getManyProjects,
	},
	rule: {
		test: testRule,
	},
	trace: {
		addStep,
	},
};

export type { OperationHandler } from './types';
