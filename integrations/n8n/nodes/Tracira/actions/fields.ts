import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** A date-time parameter (text, Date or Luxon DateTime) as ISO 8601 text. */
export function toIsoText(value: unknown): string {
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

export function isEmpty(value: unknown): boolean {
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

/** The optional fields of a request body, leaving out the ones left empty. */
export function optionalFields(
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
