import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** Shows a field for some operations of one resource. */
export const showFor =
	(resource: string) =>
	(operation: string[]): IDisplayOptions => ({ show: { resource: [resource], operation } });

/** "Return All" and "Limit" for a Get Many operation of `resource`. */
export function paginationFields(resource: string): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: showFor(resource)(['getAll']),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { resource: [resource], operation: ['getAll'], returnAll: [false] } },
		},
	];
}

/** "Gate on Verdict": wait for the verdict and route each item to Pass, Flagged or Error. */
export const gateField: INodeProperties = {
	displayName: 'Gate on Verdict',
	name: 'gate',
	type: 'boolean',
	// It decides the node's outputs, so it is a plain switch, not an expression.
	noDataExpression: true,
	default: false,
};
