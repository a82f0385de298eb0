import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** One operation on one input item: the record(s) it outputs. */
export type OperationHandler = (
	this: IExecuteFunctions,
	itemIndex: number,
) => Promise<IDataObject | IDataObject[]>;
