import type { BeforeRequestMiddleware, Bundle, HttpResponse, ZObject } from "zapier-platform-core";

type Request = Parameters<BeforeRequestMiddleware>[0];

/** Adds the workspace token to every request that goes to the Tracira server. */
export function addBearerToken(request: Request, _z: ZObject, bundle: Bundle): Request {
  const token = String(bundle.authData?.apiToken ?? "").trim();
  if (token) request.headers = { ...request.headers, Authorization: `Bearer ${token}` };
  return request;
}

/** `{ error, fields }` (Tracira's one error shape) as one sentence for the Zap's history. */
export function errorMessage(status: number, data: unknown, content: string): string {
  if (data && typeof data === "object" && typeof (data as { error?: unknown }).error === "string") {
    const { error, fields } = data as { error: string; fields?: Record<string, unknown> };
    const details =
      fields && typeof fields === "object"
        ? Object.values(fields)
            .map(String)
            .filter((f) => !error.includes(f))
        : [];
    return details.length ? `${error} (${details.join("; ")})` : error;
  }
  return `Tracira answered ${status}${content ? `: ${content.slice(0, 200)}` : ""}`;
}

function parsed(response: HttpResponse): unknown {
  try {
    return response.data ?? JSON.parse(response.content);
  } catch {
    return undefined;
  }
}

/**
 * 401 → AuthenticationError (Zapier asks the user to reconnect), 429 → ThrottledError with the server's
 * `Retry-After` (Zapier retries later), any other error → Tracira's own message, with the offending fields.
 */
export function handleErrors(response: HttpResponse & { skipThrowForStatus?: boolean }, z: ZObject): HttpResponse {
  if (response.status === 401) {
    throw new z.errors.Error(
      "Your Tracira API token was refused. Reconnect with the workspace token (it starts with wh-; a rotated token stops working at once).",
      "AuthenticationError",
      401,
    );
  }
  if (response.status === 429) {
    const retryAfter = Number.parseInt(response.getHeader("retry-after") ?? "", 10);
    const delay = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 60;
    throw new z.errors.ThrottledError(`Tracira's rate limit was reached; retrying in ${delay} seconds.`, delay);
  }
  if (response.status >= 400 && !response.skipThrowForStatus) {
    throw new z.errors.Error(
      errorMessage(response.status, parsed(response), response.content),
      `tracira_${response.status}`,
      response.status,
    );
  }
  return response;
}
