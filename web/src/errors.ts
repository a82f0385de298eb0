import { TRPCClientError } from "@trpc/client";

/** What the server adds to every error: its API code and, for invalid input, the reason per field. */
interface ErrorData {
  apiCode?: unknown;
  code?: unknown;
  fields?: unknown;
}

const dataOf = (error: unknown): ErrorData | undefined =>
  error instanceof TRPCClientError ? ((error.data ?? undefined) as ErrorData | undefined) : undefined;

/** The API's code ("forbidden", "unauthorized", "invalid_request"…), falling back to tRPC's own. */
export function apiCode(error: unknown): string | undefined {
  const data = dataOf(error);
  if (typeof data?.apiCode === "string") return data.apiCode;
  if (typeof data?.code === "string") return data.code.toLowerCase();
  return undefined;
}

export const isUnauthorized = (error: unknown) => apiCode(error) === "unauthorized";
export const isForbidden = (error: unknown) => apiCode(error) === "forbidden";

/** A sentence to show the user. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Please try again.";
}

/** The reason for one field, if the server named it (`fields.name`, `fields["rule.value"]`…). */
export function fieldError(error: unknown, ...names: string[]): string | undefined {
  const fields = dataOf(error)?.fields;
  if (!fields || typeof fields !== "object") return undefined;
  const map = fields as Record<string, unknown>;
  for (const name of names) {
    const reason = map[name];
    if (typeof reason === "string") return reason;
  }
  return undefined;
}
