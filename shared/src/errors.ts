import { z } from "zod";

/** Every error code the API answers with, and its HTTP status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  /** The embedded database's disk is (nearly) full: writes are refused until there is room again. */
  insufficient_storage: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The one error body: `fields` maps a field path (`tags.3`, `body`) to what is wrong with it. */
export const ErrorBody = z
  .object({
    error: z.string().describe("A sentence saying what went wrong and what to fix."),
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
    fields: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof ErrorBody>;
