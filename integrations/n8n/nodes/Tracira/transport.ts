import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { LIMITS } from '../generated/contract';

/** Every n8n context the Tracira nodes call the API from. */
export type TraciraContext =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const DEFAULT_BASE_URL = 'http://localhost:3000';

/** The largest page GET /api/logs serves. */
export const MAX_PAGE_SIZE = LIMITS.pageSizeMax;

/** The body of every Tracira error answer: `{ error, code, fields }`. */
interface TraciraErrorBody {
	error: string;
	code?: string;
	fields?: Record<string, unknown>;
}

function baseUrlOf(credentials: IDataObject): string {
	const raw = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return (raw || DEFAULT_BASE_URL).replace(/\/+$/, '');
}

function asObject(value: unknown): IDataObject | undefined {
	if (typeof value === 'string') {
		try {
			return asObject(JSON.parse(value));
		} catch {
			return undefined;
		}
	}
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: undefined;
}

/** Finds Tracira's `{ error, code, fields }` answer in whatever n8n's HTTP helper threw. */
function errorBodyOf(error: unknown): TraciraErrorBody | undefined {
	const e = (error ?? {}) as IDataObject & {
		context?: IDataObject;
		cause?: { response?: { data?: unknown; body?: unknown } };
		response?: { data?: unknown; body?: unknown };
	};
	const candidates = [
		e.context?.data,
		e.cause?.response?.data,
		e.cause?.response?.body,
		e.response?.data,
		e.response?.body,
	];
	for (const candidate of candidates) {
		const body = asObject(candidate);
		if (body && typeof body.error === 'string' && body.error) {
			return body as unknown as TraciraErrorBody;
		}
	}
	return undefined;
}

function httpCodeOf(error: unknown): string | undefined {
	const e = (error ?? {}) as {
		httpCode?: string | null;
		cause?: { response?: { status?: number } };
		response?: { status?: number };
	};
	const code = e.httpCode ?? e.cause?.response?.status ?? e.response?.status;
	return code === undefined || code === null ? undefined : String(code);
}

/** `fields` as lines: `output: output is required: …`. */
export function describeFields(fields: Record<string, unknown> | undefined): string | undefined {
	if (!fields || typeof fields !== 'object') return undefined;
	const lines = Object.entries(fields).map(([field, problem]) => `${field}: ${String(problem)}`);
	return lines.length ? lines.join('\n') : undefined;
}

/**
 * Turns a failed request into the error n8n shows: Tracira's own `error` sentence as the message and
 * its `fields` (one line per field) as the description. Anything else (no answer, network errors) is
 * n8n's usual API error.
 */
export function traciraError(node: INode, error: unknown, itemIndex?: number): NodeApiError {
	const body = errorBodyOf(error);
	const httpCode = httpCodeOf(error);
	if (!body) {
		const apiError = new NodeApiError(node, error as JsonObject, { itemIndex });
		if (itemIndex !== undefined) apiError.context.itemIndex = itemIndex;
		return apiError;
	}
	const apiError = new NodeApiError(node, { ...body } as unknown as JsonObject, {
		message: body.error,
		description: describeFields(body.fields),
		httpCode,
		itemIndex,
	});
	apiError.context.data = { ...body } as unknown as IDataObject;
	return apiError;
}

/** Whether a failed request was answered 404 (e.g. a subscription that is already gone). */
export function isNotFound(error: unknown): boolean {
	return httpCodeOf(error) === '404' || errorBodyOf(error)?.code === 'not_found';
}

/** One call to the Tracira API with the `traciraApi` credential (Bearer token, the credential's base URL). */
export async function traciraApiRequest(
	this: TraciraContext,
	method: IHttpRequestMethods,
	endpoint: string,
	body?: IDataObject,
	qs?: IDataObject,
): Promise<unknown> {
	const credentials = await this.getCredentials('traciraApi');
	const options: IHttpRequestOptions = {
		method,
		url: `${baseUrlOf(credentials)}${endpoint}`,
		json: true,
	};
	if (body !== undefined) options.body = body;
	if (qs !== undefined && Object.keys(qs).length > 0) options.qs = qs;

	try {
		return await this.helpers.httpRequestWithAuthentication.call(this, 'traciraApi', options);
	} catch (error) {
		throw traciraError(this.getNode(), error);
	}
}

/**
 * Pages through a list answer shaped `{ [key]: [...], total, page, limit }` (GET /api/logs), 100 at a
 * time, until every item is read or `max` items are collected.
 */
export async function traciraApiRequestAllItems(
	this: TraciraContext,
	key: string,
	method: IHttpRequestMethods,
	endpoint: string,
	body?: IDataObject,
	qs: IDataObject = {},
	max?: number,
): Promise<IDataObject[]> {
	const items: IDataObject[] = [];
	// One page size for the whole walk: `page` is an offset in units of `limit`.
	const pageSize = max === undefined ? MAX_PAGE_SIZE : Math.max(1, Math.min(MAX_PAGE_SIZE, max));
	let page = 1;
	for (;;) {
		const answer = (await traciraApiRequest.call(this, method, endpoint, body, {
			...qs,
			page,
			limit: pageSize,
		})) as IDataObject;
		const pageItems = Array.isArray(answer?.[key]) ? (answer[key] as IDataObject[]) : [];
		items.push(...pageItems);

		const total = typeof answer?.total === 'number' ? answer.total : undefined;
		const done =
			pageItems.length === 0 ||
			pageItems.length < pageSize ||
			(total !== undefined && page * pageSize >= total) ||
			(max !== undefined && items.length >= max);
		if (done) break;
		page += 1;
	}
	return max === undefined ? items : items.slice(0, max);
}
