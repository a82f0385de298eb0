import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "@tracira/shared";
import type { ZodError } from "zod";

/** The one error type: anything thrown as an ApiError reaches the caller as `{error, code, fields}`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return this.fields ? { error: this.message, code: this.code, fields: this.fields } : { error: this.message, code: this.code };
  }

  static invalid(message: string, fields?: Record<string, string>) {
    return new ApiError("invalid_request", message, fields);
  }
  static notFound(what: string) {
    return new ApiError("not_found", `${what} was not found in this workspace.`);
  }
  static conflict(message: string, fields?: Record<string, string>) {
    return new ApiError("conflict", message, fields);
  }
  /** A 429 whose Retry-After says when (epoch ms `retryAt`) the caller may try again; `message(minutes)` says it in words. */
  static rateLimited(retryAt: number, message: (minutes: number) => string) {
    const seconds = Math.max(1, Math.ceil((retryAt - Date.now()) / 1000));
    return new ApiError("rate_limited", message(Math.ceil(seconds / 60)), undefined, { "Retry-After": String(seconds) });
  }

  /** Turns zod issues into `fields` (path → reason) and a sentence naming the first problem. */
  static fromZod(error: ZodError, where: "body" | "query" | "params"): ApiError {
    const fields: Record<string, string> = {};
    for (const issue of error.issues) {
      const key = issue.path.length ? issue.path.map(String).join(".") : where;
      fields[key] ??= issue.message;
    }
    const entries = Object.entries(fields);
    const [firstKey, firstMessage] = entries[0] ?? [where, "is invalid"];
    const lead = firstMessage.toLowerCase().startsWith(firstKey.toLowerCase().split(".")[0] ?? "")
      ? firstMessage
      : `${firstKey}: ${firstMessage}`;
    const more = entries.length > 1 ? ` (and ${entries.length - 1} more problem${entries.length > 2 ? "s" : ""}, see fields)` : "";
    const end = /[.!?]"?$/.test(lead) && !more ? "" : ".";
    return new ApiError("invalid_request", `Invalid ${where === "body" ? "request body" : where}: ${lead}${more}${end}`, fields);
  }
}
