import type {
	ExpressionString,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	JsonObject,
} from 'n8n-workflow';
import { isToolType, NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import { operations } from './actions';
import { logFields, logOperations } from './descriptions/LogDescription';
import { projectFields, projectOperations } from './descriptions/ProjectDescription';
import { ruleFields, ruleOperations } from './descriptions/RuleDescription';
import { traceFields, traceOperations } from './descriptions/TraceDescription';
import type { LogStatus } from '../generated/contract';
import { testTraciraApi } from './credential-test';
import { getModels, getProjects, getTasks } from './load-options';

/** Output indexes when "Gate on Verdict" is on. */
const PASS = 0;
const FLAGGED = 1;
const ERROR = 2;

/**
 * One output, or Pass / Flagged / Error when the gate is on: on Log Execution (unless it waits for its
 * final step, which brings the verdict instead) or on the final Add Step. Evaluated by n8n's expression
 * engine (as the Switch and Filter nodes declare theirs), so the editor and the engine agree on the outputs.
 */
const GATE_ON =
	'$parameter.gate === true && (($parameter.resource === "log" && $parameter.operation === "create" && $parameter.awaitFinalStep !== true) || ($parameter.resource === "trace" && $parameter.operation === "addStep" && $parameter.final === true))';
const GATE_OUTPUTS = JSON.stringify(
	['Pass', 'Flagged', 'Error'].map((displayName) => ({ type: 'main', displayName })),
);
const OUTPUTS: ExpressionString = `={{${GATE_ON} ? ${GATE_OUTPUTS} : ["main"]}}`;

/** Where a gated answer goes: `pass`, `flagged`, anything else (error, or pending after the server's timeout) → Error. */
function gateOutput(answer: IDataObject): number {
	const status = answer.status as LogStatus;
	if (status === 'pass') return PASS;
	if (status === 'flagged') return FLAGGED;
	return ERROR;
}

/** Whether the node waits for the verdict and routes by it (the parameters GATE_ON reads). */
function gatesOnVerdict(context: IExecuteFunctions, resource: string, operation: string): boolean {
	if (context.getNodeParameter('gate', 0, false) !== true) return false;
	if (resource === 'log' && operation === 'create') {
		return context.getNodeParameter('awaitFinalStep', 0, false) !== true;
	}
	if (resource === 'trace' && operation === 'addStep') {
		return context.getNodeParameter('final', 0, false) === true;
	}
	return false;
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export class Tracira implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tracira',
		name: 'tracira',
		icon: { light: 'file:../../icons/tracira.svg', dark: 'file:../../icons/tracira.dark.svg' },
		group: ['transform'],
		version: 1,
		// The operation's action ("Log an AI output") by "resource:operation"; a literal, as n8n's lint wants
		// (a test checks it names every operation's action).
		subtitle:
			'={{ ({"log:approve":"Approve a log","log:delete":"Delete a log","log:get":"Get a log","log:getAll":"Get many logs","log:getStatus":"Get the status of a log","log:create":"Log an AI output","log:reject":"Reject a log","project:create":"Create a project","project:getAll":"Get many projects","rule:test":"Test a rule","trace:addStep":"Add a step to a trace"})[$parameter["resource"] + ":" + $parameter["operation"]] }}',
		description:
			'Log AI outputs and the steps of their runs to Tracira, branch on the verdict, and review, approve or reject them',
		defaults: {
			name: 'Tracira',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS,
		credentials: [
			{
				name: 'traciraApi',
				required: true,
				testedBy: 'traciraApiTest',
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Log',
						value: 'log',
					},
					{
						name: 'Project',
						value: 'project',
					},
					{
						name: 'Rule',
						value: 'rule',
					},
					{
						name: 'Trace',
						value: 'trace',
					},
				],
				default: 'log',
			},
			...logOperations,
			...logFields,
			...projectOperations,
			...projectFields,
			...ruleOperations,
			...ruleFields,
			...traceOperations,
			...traceFields,
		],
	};

	methods = {
		credentialTest: { traciraApiTest: testTraciraApi },
		loadOptions: { getModels, getProjects, getTasks },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const resource = this.getNodeParameter('resource', 0) as string;
		const operation = this.getNodeParameter('operation', 0) as string;
		const handler = operations[resource]?.[operation];
		if (!handler) {
			throw new NodeOperationError(
				this.getNode(),
				`The operation "${operation}" is not known for the resource "${resource}"`,
			);
		}
		// As an agent's tool (the "Tracira Tool" n8n makes of this node) only the first output reaches the
		// agent, so the verdict stays on one output there, with its status and explanation.
		const gated = gatesOnVerdict(this, resource, operation) && !isToolType(this.getNode().type);
		const outputs: INodeExecutionData[][] = gated ? [[], [], []] : [[]];

		for (let i = 0; i < items.length; i++) {
			try {
				const result = await handler.call(this, i);
				for (const json of Array.isArray(result) ? result : [result]) {
					outputs[gated ? gateOutput(json) : 0].push({ json, pairedItem: { item: i } });
				}
			} catch (error) {
				if (this.continueOnFail()) {
					outputs[gated ? ERROR : 0].push({
						json: { error: errorMessage(error) },
						pairedItem: { item: i },
					});
					continue;
				}
				if (error instanceof NodeApiError) {
					// Keep the API error (its message and fields) and say which item failed.
					error.context.itemIndex = i;
					throw new NodeApiError(this.getNode(), error as unknown as JsonObject);
				}
				throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			}
		}
		return outputs;
	}
}
