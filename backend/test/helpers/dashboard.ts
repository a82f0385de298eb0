import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../src/trpc/router";

export interface DashboardClient {
  trpc: ReturnType<typeof createTRPCClient<AppRouter>>;
  /** The session cookie as the browser holds it (undefined when logged out). */
  cookie(): string | undefined;
  /** Every Set-Cookie header received, for checking the cookie's attributes. */
  setCookies: string[];
  /** A raw fetch carrying this client's cookie. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** A dashboard user's browser, reduced to what matters here: the real tRPC client and a cookie jar. */
export function dashboardClient(
  url: string,
  options: { csrf?: boolean; origin?: string; headers?: Record<string, string> } = {},
): DashboardClient {
  let session: string | undefined;
  const setCookies: string[] = [];
  const withCookie = (init: RequestInit = {}): RequestInit => {
    const headers = new Headers(init.headers);
    if (session) headers.set("cookie", `tracira_session=${session}`);
    return { ...init, headers, redirect: "manual" };
  };
  const jarFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetch(input, withCookie(init));
    for (const header of res.headers.getSetCookie()) {
      setCookies.push(header);
      const match = /^tracira_session=([^;]*)/.exec(header);
      if (match) session = match[1] || undefined;
      if (match && /expires=Thu, 01 Jan 1970/i.test(header)) session = undefined;
    }
    return res;
  };
  const headers: Record<string, string> = { ...options.headers };
  if (options.csrf !== false) headers["x-tracira-csrf"] = "1";
  if (options.origin) headers.origin = options.origin;
  const trpc = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers, fetch: jarFetch })] });
  return { trpc, cookie: () => session, setCookies, fetch: (path, init) => jarFetch(url + path, init) };
}

/** The error a procedure call ends with: its HTTP status, API code, message and fields. */
export async function failureOf(
  call: Promise<unknown>,
): Promise<{ status: number; code: string; message: string; fields?: Record<string, string> }> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof TRPCClientError)) throw err;
    const data = err.data as { httpStatus: number; apiCode: string; fields?: Record<string, string> };
    return { status: data.httpStatus, code: data.apiCode, message: err.message, fields: data.fields };
  }
  throw new Error("the call succeeded");
}
