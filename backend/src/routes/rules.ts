import {
  CreateRuleBody,
  EvaluateRuleBody,
  EvaluateRuleResponse,
  IdParams,
  OkResponse,
  Rule,
  RuleList,
  UpdateRuleBody,
} from "@tracira/shared";
import { defineRoute } from "../http/route";

export const ruleRoutes = [
  defineRoute({
    method: "get",
    path: "/api/rules",
    tag: "Rules",
    summary: "List rules",
    auth: "token",
    response: RuleList,
    handler: ({ auth, deps }) => deps.services.rules.list(auth.workspaceId),
  }),
  defineRoute({
    method: "post",
    path: "/api/rules",
    tag: "Rules",
    summary: "Create a rule",
    auth: "token",
    status: 201,
    body: CreateRuleBody,
    response: Rule,
    handler: ({ auth, body, deps }) => deps.services.rules.create(auth.workspaceId, body),
  }),
  defineRoute({
    method: "post",
    path: "/api/rules/evaluate",
    tag: "Rules",
    summary: "Evaluate one rule against an output without storing a log",
    auth: "token",
    rateLimit: "evaluate",
    body: EvaluateRuleBody,
    response: EvaluateRuleResponse,
    handler: ({ auth, body, deps }) => deps.services.ruleEvaluation.evaluate(auth.workspaceId, body),
  }),
  defineRoute({
    method: "get",
    path: "/api/rules/:id",
    tag: "Rules",
    summary: "Get a single rule",
    auth: "token",
    params: IdParams,
    response: Rule,
    handler: ({ auth, params, deps }) => deps.services.rules.get(auth.workspaceId, params.id),
  }),
  defineRoute({
    method: "patch",
    path: "/api/rules/:id",
    tag: "Rules",
    summary: "Update a rule",
    auth: "token",
    params: IdParams,
    body: UpdateRuleBody,
    response: OkResponse,
    handler: async ({ auth, params, body, deps }) => {
      await deps.services.rules.update(auth.workspaceId, params.id, body);
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: "delete",
    path: "/api/rules/:id",
    tag: "Rules",
    summary: "Delete a rule",
    auth: "token",
    params: IdParams,
    response: OkResponse,
    handler: async ({ auth, params, deps }) => {
      await deps.services.rules.delete(auth.workspaceId, params.id);
      return { ok: true as const };
    },
  }),
];
