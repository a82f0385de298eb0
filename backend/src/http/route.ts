import type { Request, Response } from "express";
import type { z } from "zod";
import type { Config } from "../config";
import type { AuthContext } from "./auth";
import type { AppDeps } from "./deps";

export type HttpMethod = "get" | "post" | "patch" | "put" | "delete";
/** `token`: a workspace token is required; `public`: none is needed; `optional`: used when sent. */
export type AuthMode = "token" | "public" | "optional";

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type Auth<A extends AuthMode> = A extends "token" ? AuthContext : AuthContext | undefined;

export interface HandlerContext<P, Q, B, A extends AuthMode> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  auth: Auth<A>;
  deps: AppDeps;
  req: Request;
  res: Response;
}

/**
 * A public route, declared: what it accepts, who may call it, what it answers. `mountRoutes` wires
 * validation, auth and error mapping once for all of them, and the OpenAPI document is generated from
 * the same definitions.
 */
export interface RouteDef<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
  R extends Schema = Schema,
  A extends AuthMode = AuthMode,
> {
  method: HttpMethod;
  /** Express path, e.g. `/api/logs/:id`. */
  path: string;
  summary: string;
  tag: string;
  auth: A;
  /** A larger body than `config.maxBodyBytes`, for routes that take files (see BodyLimit). */
  bodyLimit?: BodyLimit;
  /**
   * A route that also takes bytes (OTLP's protobuf): bodies of these content types reach the handler as a
   * Buffer, others as parsed JSON; either way unvalidated (the handler checks them), up to `maxBytes`, gzip
   * or deflate inflated. `schema` is the JSON body OpenAPI documents.
   */
  binary?: BinaryBody;
  /** Rate-limit bucket this route counts against, if any. */
  rateLimit?: "ingest" | "verify" | "evaluate";
  /** Also accept the dashboard's session cookie (for GET routes the browser opens itself, e.g. media links). */
  session?: boolean;
  /** The role the caller needs (default: any member of the workspace). */
  role?: "admin";
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** The success answer's media type when it is not JSON (the handler then writes it itself), for OpenAPI. */
  responseType?: string;
  /** Success status (default 200). */
  status?: number;
  /** Returns the response body; returning `undefined` means the handler answered itself (redirects). */
  handler: (ctx: HandlerContext<P, Q, B, A>) => Promise<z.input<R> | undefined> | z.input<R> | undefined;
}

export interface BinaryBody {
  contentTypes: readonly string[];
  maxBytes: (config: Config) => number;
  schema: z.ZodType;
}

/**
 * A route's body limit past the default `config.maxBodyBytes`: the body may reach `maxBytes`, but only
 * through the parts `bulk` measures (e.g. base64 uploads); the rest must still fit `config.maxBodyBytes`.
 */
export interface BodyLimit {
  maxBytes: (config: Config) => number;
  /** Characters of the parsed body allowed past the default limit. */
  bulk: (body: unknown) => number;
  /** What may make the body larger, for the 413 message (e.g. "base64 attachment uploads"). */
  bulkName: string;
}

export function defineRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Schema = Schema,
  A extends AuthMode = "token",
>(def: RouteDef<P, Q, B, R, A>): RouteDef {
  return def as unknown as RouteDef;
}
