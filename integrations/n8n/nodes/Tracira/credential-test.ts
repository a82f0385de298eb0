import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import {
	BASE_URL_MISSING,
	BASE_URL_NOT_ROOT,
	baseUrlOf,
	errorBodyOf,
	httpCodeOf,
} from './transport';

/**
 * The credential test (`testedBy` on the Tracira node): `GET /api/verify` with the token, answered in the
 * node's own sentences: Tracira's message for a refused token, the base-URL sentence for a 404 or an
 * empty base URL, and the address that could not be reached for a network error.
 */
export async function testTraciraApi(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = (credential.data ?? {}) as IDataObject;
	const baseUrl = baseUrlOf(data);
	if (!baseUrl) return { status: 'Error', message: BASE_URL_MISSING };
	try {
		// A credential test function is given only the legacy `request` helper (ICredentialTestFunctions).
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions
		await this.helpers.request({
			method: 'GET',
			uri: `${baseUrl}/api/verify`,
			headers: { Authorization: `Bearer ${String(data.apiToken ?? '')}` },
			json: true,
		});
		return { status: 'OK', message: 'Connection successful!' };
	} catch (error) {
		// /api/verify always exists at the server's root: a 404 means the base URL points elsewhere.
		if (httpCodeOf(error) === '404') return { status: 'Error', message: BASE_URL_NOT_ROOT };
		const body = errorBodyOf(error);
		if (body) return { status: 'Error', message: body.error };
		const code =
			(error as { code?: string; cause?: { code?: string } }).cause?.code ??
			(error as { code?: string }).code;
		return {
			status: 'Error',
			message: `Could not reach ${baseUrl}${code ? ` (${code})` : ''}: check the Base URL and that the Tracira server is running`,
		};
	}
}
