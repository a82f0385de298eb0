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
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { LIMITS } from '../generated/contract';

/** Every n8n context the Tracira nodes call the API from. */
export type TraciraContext =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

/** The sentences the node and its credential test both give when the base URL is wrong. */
export const BASE_URL_MISSING =
	"The Tracira credential has no Base URL: enter your Tracira server's address, e.g. https://tracira.example.com";
export const BASE_URL_NOT_ROOT =
	"Tracira answered 404 Not Found: the base URL should be the server's root, without /api (e.g. https://tracira.example.com)";

/** The largest page GET /api/logs serves. */
export const MAX_PAGE_SIZE = LIMITS.pageSizeMax;

/** The body of every Tracira error answer: `{ error, code, fields }`. */
interface TraciraErrorBody {
	error: string;
	code?: string;
	fields?: Record<string, unknown>;
}

/** The credential's base URL without trailing slashes; undefined when it is empty. */
export function baseUrlOf(credentials: IDataObject): string | undefined {
	const raw = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return raw ? raw.replace(/\/+$/, '') : undefined;
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
export function errorBodyOf(error: unknown): TraciraErrorBody | undefined {
	const e = (error ?? {}) as IDataObject & {
		context?: IDataObject;
		cause?: { response?: { data?: unknown; body?: unknown } };
		response?: { data?: unknown; body?: unknown };
	};
	const candidates = [
		e.error,
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

export function httpCodeOf(error: unknown): string | undefined {
	const e = (error ?? {}) as {
		httpCode?: string | null;
		statusCode?: number;
		cause?: { response?: { status?: number } };
		response?: { status?: number };
	};
	const code = e.httpCode ?? e.statusCode ?? e.cause?.response?.status ?? e.response?.status;
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
		// A 404 that is not Tracira's own answer: the base URL points below the server's root (…/api).
		const extra = httpCode === '404' ? { message: BASE_URL_NOT_ROOT } : {};
		const apiError = new NodeApiError(node, error as JsonObject, { itemIndex, ...extra });
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
	headers?: IDataObject,
): Promise<unknown> {
	const credentials = await this.getCredentials('traciraApi');
	const baseUrl = baseUrlOf(credentials);
	if (!baseUrl) throw new NodeOperationError(this.getNode(), BASE_URL_MISSING);
	const options: IHttpRequestOptions = {
		method,
		url: `${baseUrl}${endpoint}`,
		json: true,
	};
	if (body !== undefined) options.body = body;
	if (qs !== undefined && Object.keys(qs).length > 0) options.qs = qs;
	if (headers !== undefined && Object.keys(headers).length > 0) options.headers = headers;

	try {
		return await this.helpers.httpRequestWithAuthentication.call(this, 'traciraApi', options);
	} catch (error) {
		if (/\/api$/i.test(baseUrl) && httpCodeOf(error) === '404') {
			throw new NodeOperationError(this.getNode(), BASE_URL_NOT_ROOT);
		}
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
