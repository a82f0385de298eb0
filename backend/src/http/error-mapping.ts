import { ApiError } from "./errors";

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Maps anything thrown while answering to the one error shape; nothing internal leaks out. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const bodyError = err as BodyParserError;
  switch (bodyError?.type) {
    case "entity.parse.failed":
      return new ApiError("invalid_request", `The request body is not valid JSON: ${(err as Error).message}.`, {
        body: "must be valid JSON",
      });
    case "entity.too.large":
      return new ApiError(
        "payload_too_large",
        `The request body is larger than ${bodyError.limit} bytes. Send a shorter output or fewer attachments.`,
      );
    case "encoding.unsupported":
    case "charset.unsupported":
      return new ApiError("unsupported_media_type", "Send the body as UTF-8 JSON.");
    case "request.aborted":
    case "stream.encoding.set":
    case "request.size.invalid":
      return new ApiError("invalid_request", "The request body could not be read.");
  }
  if (isDatabaseDown(err)) {
    return new ApiError("unavailable", "The database is not reachable right now; try again shortly.");
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
    name === "DriverAdapterError" && /connect|terminat/i.test(String((err as Error).message))
  );
}
