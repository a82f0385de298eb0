import { ERROR_CODES, ERROR_STATUS } from "@tracira/shared";
import { isStatementCanceled } from "../db/prisma-errors";
import { ApiError } from "../lib/api-error";

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  /** Set by http-errors on client errors (status < 500): express's own 4xx errors. */
  expose?: boolean;
  code?: string;
  encoding?: string;
  charset?: string;
}

/** Maps anything thrown while answering to the one error shape; nothing internal leaks out. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const bodyError = err as BodyParserError;
  switch (bodyError?.type) {
    case "entity.parse.failed":
      return new ApiError("invalid_request", `The request body is not valid JSON: ${(err as Error).message.slice(0, 160)}.`, {
        body: "must be valid JSON",
      });
    case "entity.too.large":
      return new ApiError(
        "payload_too_large",
        `The request body is larger than ${bodyError.limit} bytes. Send a shorter output or fewer attachments.`,
      );
    case "encoding.unsupported":
      return new ApiError(
        "unsupported_media_type",
        `Content-Encoding "${String(bodyError.encoding).slice(0, 40)}" is not supported: send the body uncompressed, or as gzip, deflate or br.`,
      );
    case "charset.unsupported":
      return new ApiError("unsupported_media_type", "Send the body as UTF-8 JSON.");
    case "request.aborted":
    case "stream.encoding.set":
    case "request.size.invalid":
      return new ApiError("invalid_request", "The request body could not be read.", { body: "could not be read" });
  }
  // A gzip/deflate/br body that does not decompress (body-parser passes zlib's error on as a 400).
  if (typeof bodyError?.code === "string" && bodyError.code.startsWith("Z_")) {
    return new ApiError("invalid_request", "The request body could not be decompressed: check its Content-Encoding.", {
      body: "is not valid data for its Content-Encoding",
    });
  }
  // The router could not percent-decode a path segment (`/api/logs/%E0%A4%A`).
  if (err instanceof URIError) {
    return new ApiError("invalid_request", "The URL path has broken percent-encoding (%XX).", {
      path: "has broken percent-encoding",
    });
  }
  // Any other client error raised by express itself: keep its status, never call it a 500.
  if (bodyError?.expose && typeof bodyError.status === "number" && bodyError.status >= 400 && bodyError.status < 500) {
    const code = ERROR_CODES.find((c) => ERROR_STATUS[c] === bodyError.status && c !== "invalid_request");
    return code
      ? new ApiError(code, "The request could not be accepted as sent.")
      : new ApiError("invalid_request", "The request could not be read.", { body: "could not be read" });
  }
  if (isDatabaseDown(err)) {
    return new ApiError("unavailable", "The database is not reachable right now; try again shortly.");
  }
  if (isDiskFull(err)) {
    return new ApiError("insufficient_storage", "The database's disk is full: free some space; reading still works.");
  }
  if (isDatabaseTimeout(err)) {
    return new ApiError("unavailable", "The database did not answer in time; try again shortly.");
  }
  return new ApiError("internal", "Something went wrong on our side. The error has been logged.");
}

function isDatabaseDown(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  const name = (err as { name?: string })?.name;
  return (
    code === "ECONNREFUSED" ||
    code === "57P01" ||
    code === "57P03" ||
    (name === "DriverAdapterError" && /connect|terminat/i.test(String((err as Error).message)))
  );
}

/** A bounded wait for Postgres ran out (see DatabaseTimeouts): the connection, the client or the statement. */
function isDatabaseTimeout(err: unknown): boolean {
  const message = String((err as Error)?.message ?? "");
  return (
    isStatementCanceled(err) ||
    /query read timeout|timeout exceeded when trying to connect|connection timeout|statement timeout/i.test(message)
  );
}

/** No room left where the database writes (PGlite's files, or Postgres' disk_full). */
function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === "ENOSPC" || code === "53100" || /no space left on device/i.test(String((err as Error)?.message ?? ""));
}
