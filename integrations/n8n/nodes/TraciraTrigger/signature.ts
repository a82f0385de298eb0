import { createHmac, timingSafeEqual } from 'crypto';

/** How far `t` in X-Tracira-Signature may be from now, in seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `HMAC-SHA256(secret, "<t>.<raw body>")` as hex: what Tracira sends as `v1`. */
export function computeSignature(secret: string, timestamp: string, rawBody: string | Buffer): string {
	return createHmac('sha256', secret)
		.update(`${timestamp}.`)
		.update(rawBody)
		.digest('hex');
}

/**
 * Checks `X-Tracira-Signature: t=<unix seconds>,v1=<hex>` against the raw body: any `v1` must match
 * (compared in constant time) and `t` must be within the tolerance of `nowSeconds`.
 */
export function verifySignature(
	secret: string,
	header: string | undefined,
	rawBody: string | Buffer,
	nowSeconds: number,
	toleranceSeconds: number = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
	if (!secret || !header) return false;
	let timestamp: string | undefined;
	const signatures: string[] = [];
	for (const part of header.split(',')) {
		const eq = part.indexOf('=');
		if (eq <= 0) continue;
		const key = part.slice(0, eq).trim();
		const value = part.slice(eq + 1).trim();
		if (key === 't') timestamp = value;
		else if (key === 'v1' && value) signatures.push(value);
	}
	if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) return false;
	if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;

	const expected = Buffer.from(computeSignature(secret, timestamp, rawBody), 'utf8');
	return signatures.some((signature) => {
		const given = Buffer.from(signature.toLowerCase(), 'utf8');
		return given.length === expected.length && timingSafeEqual(given, expected);
	});
}
