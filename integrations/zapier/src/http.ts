import type { Bundle, HttpRequestOptions, ZObject } from "zapier-platform-core";

/** The Tracira server's address as the user typed it, without a trailing slash. */
export function baseUrl(bundle: Bundle): string {
  return String(bundle.authData.baseUrl ?? "")
    .trim()
    .replace(/\/+$/, "");
}

export interface ApiOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  params?: Record<string, string | number | boolean | undefined | null>;
  /** Answers `undefined` for a 404 instead of failing (searches). */
  allowNotFound?: boolean;
}

/**
 * The one way the app calls Tracira: JSON in and out, the token added by the `beforeRequest` middleware,
 * errors turned into Zapier errors by the `afterResponse` one.
 */
export async function api<T = unknown>(z: ZObject, bundle: Bundle, path: string, options: ApiOptions = {}): Promise<T> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (value !== undefined && value !== null && value !== "") params[key] = String(value);
  }
  const request: HttpRequestOptions & { url: string; skipThrowForStatus?: boolean } = {
    url: `${baseUrl(bundle)}${path}`,
    method: options.method ?? "GET",
    params,
    headers: { Accept: "application/json" },
  };
  if (options.body !== undefined) {
    request.body = options.body as Record<string, unknown>;
    request.headers!["Content-Type"] = "application/json";
  }
  if (options.allowNotFound) request.skipThrowForStatus = true;
  const response = await z.request(request);
  if (options.allowNotFound && response.status === 404) return undefined as T;
  if (response.status >= 400) response.throwForStatus();
  return response.data as T;
}

/** A Zapier boolean field's value (`true`, or the text "true" / "yes" when mapped). */
export const isTrue = (value: unknown): boolean => value === true || value === "true" || value === "yes";
