import type { ErrorCode } from "@tracira/shared";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { toApiError } from "../http/error-mapping";
import { ApiError } from "../lib/api-error";

/** What tRPC itself raises (unknown procedure, wrong method, unparsable input) in the API's own codes. */
const FROM_TRPC: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  BAD_REQUEST: "invalid_request",
  PARSE_ERROR: "invalid_request",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  METHOD_NOT_SUPPORTED: "invalid_request",
  CONFLICT: "conflict",
  PAYLOAD_TOO_LARGE: "payload_too_large",
  TOO_MANY_REQUESTS: "rate_limited",
  UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
};

export const TO_TRPC: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  invalid_request: "BAD_REQUEST",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  unsupported_media_type: "UNSUPPORTED_MEDIA_TYPE",
  rate_limited: "TOO_MANY_REQUESTS",
  internal: "INTERNAL_SERVER_ERROR",
  unavailable: "SERVICE_UNAVAILABLE",
  insufficient_storage: "SERVICE_UNAVAILABLE",
};

/**
 * The one error shape, for procedures as for REST routes: a service's ApiError as it is, invalid input
 * flattened to `fields`, tRPC's own client errors by their code, and anything else masked by toApiError.
 */
export function apiErrorOf(error: TRPCError): ApiError {
  const cause = error.cause;
  if (cause instanceof ApiError) return cause;
  if (cause instanceof ZodError) return ApiError.fromZod(cause, "body");
  const code = FROM_TRPC[error.code];
  if (code) return new ApiError(code, error.message.slice(0, 300));
  return toApiError(cause ?? error);
}

export { TRPCError };
