import { CreatedHook, CreateHookBody, DeliveryList, HookList, IdParams, ListDeliveriesQuery, OkResponse } from "@tracira/shared";
import { defineRoute } from "../http/route";

export const hookRoutes = [
  defineRoute({
    method: "post",
    path: "/api/hooks",
    tag: "Hooks",
    summary: "Subscribe a URL to events (integration triggers); the answer carries the signing secret",
    auth: "token",
    body: CreateHookBody,
    response: CreatedHook,
    status: 201,
    handler: ({ auth, body, deps }) => deps.services.hooks.create(auth.workspaceId, body),
  }),
  defineRoute({
    method: "get",
    path: "/api/hooks",
    tag: "Hooks",
    summary: "List hook subscriptions",
    auth: "token",
    response: HookList,
    handler: ({ auth, deps }) => deps.services.hooks.list(auth.workspaceId),
  }),
  defineRoute({
    method: "delete",
    path: "/api/hooks/:id",
    tag: "Hooks",
    summary: "Remove a hook subscription (its pending deliveries are cancelled)",
    auth: "token",
    params: IdParams,
    response: OkResponse,
    handler: async ({ auth, params, deps }) => {
      await deps.services.hooks.delete(auth.workspaceId, params.id);
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: "get",
    path: "/api/deliveries",
    tag: "Hooks",
    summary: "Deliveries (callbacks, hooks, Slack, e-mail, webhook) with their attempts; filter by logId",
    auth: "token",
    query: ListDeliveriesQuery,
    response: DeliveryList,
    handler: ({ auth, query, deps }) => deps.services.deliveries.list(auth.workspaceId, query, auth.role),
  }),
];
