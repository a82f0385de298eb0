import type { IncomingMessage } from "node:http";
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Config } from "../config";
import { ApiError } from "../lib/api-error";
import { authenticate } from "./auth";
import type { AppDeps } from "./deps";
import type { BinaryBody, RouteDef } from "./route";
import { toApiError } from "./error-mapping";
import { assertStorableInput } from "./input-guard";
import { enforceRateLimit } from "./rate-limit";
import { requestContext, requestIdOf } from "./request-context";

/** `mounts`: handlers tried after the REST routes and before the 404 (the dashboard's /trpc and pages). */
export function createApp(deps: AppDeps, routes: RouteDef[], mounts: Array<[string, RequestHandler]> = []): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  if (deps.config.trustProxy !== undefined) app.set("trust proxy", deps.config.trustProxy);
  app.use(requestContext(deps));

  const router = express.Router();
  // Who is calling is settled before the body is read: a caller without a valid token never gets a large
  // body read and parsed (it is answered at once, and its connection closed).
  for (const route of routes) router[route.method](route.path, admit(route, deps), readJson(route, deps.config), handle(route, deps));
  app.use(router);
  for (const [path, handler] of mounts) app.use(path, handler);
  // An unknown route still reads the body first, as every route does: broken JSON is a 400, too much a 413.
  app.use(readJson(undefined, deps.config));

  app.use((req: Request) => {
    throw new ApiError("not_found", `There is no ${req.method} ${shorten(req.path)} route. The API is described at /api/openapi.json.`);
  });
  app.use(errorHandler(deps));
  return app;
}

/** Bytes of each request's body as read (after decompression), for BodyLimit. */
const bodyBytes = new WeakMap<IncomingMessage, number>();

/**
 * Every body is read as JSON whatever its Content-Type (`curl -d '{…}'` without a header must work), up
 * to `config.maxBodyBytes`, or the route's larger BodyLimit: past the default limit the body must be
 * valid JSON and only its bulky parts may make it larger.
 */
function readJson(route: RouteDef | undefined, config: Config): RequestHandler {
  if (route?.binary) return readBinaryOrJson(route.binary, config);
  const limit = route?.bodyLimit;
  if (!limit) return express.json({ limit: config.maxBodyBytes, type: () => true, strict: false });
  const parser = express.json({
    limit: limit.maxBytes(config),
    type: () => true,
    strict: false,
    verify: (req, _res, buf) => void bodyBytes.set(req, buf.length),
  });
  return (req, res, next) =>
    parser(req, res, (err?: unknown) => {
      const bytes = bodyBytes.get(req) ?? 0;
      const general = config.maxBodyBytes;
      const unparsable = (err as { type?: string } | undefined)?.type === "entity.parse.failed";
      if (bytes > general && (unparsable || (!err && bytes - limit.bulk(req.body) > general))) {
        next(
          new ApiError(
            "payload_too_large",
            `The request body is larger than ${general} bytes; only ${limit.bulkName} may make it larger (up to ${limit.maxBytes(config)} bytes). Send a shorter output.`,
          ),
        );
        return;
      }
      next(err);
    });
}

/** Bytes for the route's binary content types, JSON for the rest; both up to the route's own limit. */
function readBinaryOrJson(binary: BinaryBody, config: Config): RequestHandler {
  const limit = binary.maxBytes(config);
  const isBinary = (req: IncomingMessage) => {
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    return binary.contentTypes.includes(type);
  };
  const raw = express.raw({ limit, type: () => true });
  const json = express.json({ limit, type: () => true, strict: false });
  return (req, res, next) => (isBinary(req) ? raw(req, res, next) : json(req, res, next));
}

const shorten = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);

/** Authentication, role and rate limit, before the body is read; the caller is kept for `handle`. */
function admit(route: RouteDef, deps: AppDeps) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const auth = route.auth === "public" ? undefined : await authenticate(req, deps, route.auth === "token", route.session);
      if (route.role === "admin" && auth?.role !== "admin") {
        throw new ApiError("forbidden", "Only a workspace admin can do this; ask an admin of the workspace.");
      }
      await enforceRateLimit(route, auth, res, deps);
      if (route.method !== "get") await deps.disk.assertWritable();
      res.locals.auth = auth;
      next();
    } catch (err) {
      // The body was not read: closing the connection spares reading what will never be used.
      if (!req.complete) res.set("Connection", "close");
      next(await throttledFailure(err, req, deps));
    }
  };
}

/** Refused credentials per address and minute before the address is refused outright (guessing tokens). */
const AUTH_FAILURES = { limit: 60, windowMs: 60_000 };

/** Counts a refused token against the caller's address; past the limit the answer is a 429 instead. */
async function throttledFailure(err: unknown, req: Request, deps: AppDeps): Promise<unknown> {
  if (!(err instanceof ApiError) || err.code !== "unauthorized") return err;
  const decision = await deps.rateLimiter.hit(`auth-failure:${req.ip ?? "unknown"}`, AUTH_FAILURES.limit, AUTH_FAILURES.windowMs);
  if (decision.allowed) return err;
  return ApiError.rateLimited(
    decision.resetAt,
    () => "Too many requests with a wrong or missing token from this address; try again shortly.",
  );
}

function handle(route: RouteDef, deps: AppDeps) {
  return async (req: Request, res: Response, _next: NextFunction) => {
    const auth = res.locals.auth as Awaited<ReturnType<typeof authenticate>>;
    const params = parse(route.params, req.params, "params", req);
    const query = parse(route.query, req.query, "query", req);
    const body = route.binary ? readBinaryBody(req) : parse(route.body, req.body, "body", req);
    const result = await route.handler({ params, query, body, auth, deps, req, res } as never);
    if (result === undefined || res.headersSent) return;
    if (deps.config.validateResponses) {
      const check = route.response.safeParse(result);
      if (!check.success) {
        deps.logger.error("response does not match its contract", {
          route: `${route.method.toUpperCase()} ${route.path}`,
          issues: check.error.issues.slice(0, 5),
        });
        throw new Error(`Response of ${route.method.toUpperCase()} ${route.path} does not match its contract`);
      }
    }
    res.status(route.status ?? 200).json(result);
  };
}

/** A binary route's body: the bytes as sent, or JSON checked for what no stored value may hold. */
function readBinaryBody(req: Request): unknown {
  if (Buffer.isBuffer(req.body)) return req.body;
  assertStorableInput(req.body, "body");
  return req.body ?? {};
}

function parse(schema: RouteDef["body"], value: unknown, where: "body" | "query" | "params", req: Request) {
  if (!schema) return undefined;
  if (where === "body") assertJsonObjectBody(value, req);
  assertStorableInput(value, where);
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw ApiError.fromZod(result.error, where);
  return result.data;
}

/** Every body this API takes is a JSON object; say so plainly rather than through each missing field. */
function assertJsonObjectBody(value: unknown, req: Request) {
  const empty = req.headers["content-length"] === "0" || (!req.headers["content-length"] && !req.headers["transfer-encoding"]);
  if (empty || value === undefined) {
    throw new ApiError("invalid_request", 'The request body is empty: send a JSON object, e.g. {"project": "…"}.', {
      body: "send a JSON object with Content-Type: application/json",
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "string" ? "a text" : typeof value;
    throw new ApiError("invalid_request", `The request body must be a JSON object, not ${got}.`, {
      body: `must be a JSON object, not ${got}`,
    });
  }
}

function errorHandler(deps: AppDeps): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) {
      deps.logger.error("request failed", {
        requestId: requestIdOf(res),
        method: req.method,
        path: req.path,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }
    if (res.headersSent) return;
    if (apiError.headers) res.set(apiError.headers);
    res.status(apiError.status).json(apiError.toBody());
  };
}
