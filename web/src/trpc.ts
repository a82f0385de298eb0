import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../backend/src/trpc/router";

/** The one tRPC client. The header is the server's CSRF guard; the session cookie goes along (same origin). */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "/trpc", headers: { "x-tracira-csrf": "1" }, maxItems: 10 })],
});

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type Me = NonNullable<RouterOutputs["auth"]["me"]>;
export type LogList = RouterOutputs["logs"]["list"];
export type LogItem = LogList["executions"][number];
export type LogDetail = RouterOutputs["logs"]["get"];
export type ListLogsInput = RouterInputs["logs"]["list"];
export type Rule = RouterOutputs["rules"]["list"][number];
export type Project = RouterOutputs["projects"]["list"][number];
export type Task = RouterOutputs["projects"]["tasks"][number];
export type Settings = RouterOutputs["settings"]["get"];
export type UpdateSettingsInput = RouterInputs["settings"]["update"];
export type Delivery = RouterOutputs["deliveries"]["list"]["deliveries"][number];
export type Hook = RouterOutputs["hooks"]["list"]["hooks"][number];
export type Overview = RouterOutputs["analytics"]["overview"];
export type Member = RouterOutputs["members"]["list"]["members"][number];
export type TraceDetail = RouterOutputs["traces"]["get"];
export type TraceSpan = TraceDetail["spans"][number];
export type TraceEvaluation = TraceDetail["evaluations"][number];
