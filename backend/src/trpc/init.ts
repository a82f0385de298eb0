import { initTRPC } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { Request, Response } from "express";
import type { AuthContext } from "../http/auth";
import type { AppDeps } from "../http/deps";
import { ApiError } from "../lib/api-error";
import { apiErrorOf, TO_TRPC } from "./errors";

export interface TrpcContext {
  deps: AppDeps;
  req: Request;
  res: Response;
  /** The dashboard session, when the request carries a valid one. */
  auth: AuthContext | undefined;
}

const t = initTRPC.context<TrpcContext>().create({
  // Every error leaves as `{message, data: {apiCode, fields, httpStatus}}`: the REST API's sentence, code and
  // fields, with 5xx messages masked and no stack.
  errorFormatter: ({ shape, error }) => {
    const api = apiErrorOf(error);
    return {
      message: api.message,
      code: TRPC_ERROR_CODES_BY_KEY[TO_TRPC[api.code]],
      data: { apiCode: api.code, fields: api.fields, httpStatus: api.status, path: shape.data.path },
    };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;

/** Any member of the workspace, logged in to the dashboard. */
export const memberProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.auth?.user) throw new ApiError("unauthorized", "You are not logged in (or your session ended): log in again.");
  return next({ ctx: { ...ctx, auth: ctx.auth, user: ctx.auth.user } });
});

/** Admins only: settings, token rotation, invites, deleting projects. */
export const adminProcedure = memberProcedure.use(({ ctx, next }) => {
  if (ctx.auth.role !== "admin") throw new ApiError("forbidden", "Only a workspace admin can do this; ask an admin of the workspace.");
  return next();
});
