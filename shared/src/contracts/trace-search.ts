import { z } from "zod";
import { LIMITS } from "../limits";
import { enumOf, optionalText, requiredText, unmapped } from "./fields";
import { TRACE_SEARCH_STATUSES, TraceFilters } from "./trace-filters";
import { TRACE_PAGE_MAX } from "./traces";

/** POST /api/traces/search, in the shapes of peer-adaline-search-traces (times as epoch ms). */

export const TRACE_SEARCH_SORTS = ["startedAt:asc", "startedAt:desc"] as const;
export type TraceSearchSort = (typeof TRACE_SEARCH_SORTS)[number];

const epochMsField = (field: string) =>
  unmapped(
    z
      .number({ error: () => `${field} must be epoch milliseconds (a whole number), e.g. 1777636800000` })
      .int({ error: `${field} must be a whole number of epoch milliseconds` })
      .min(0, { error: `${field} must be 0 or more` })
      .max(Date.UTC(9999, 11, 31), { error: `${field} is past the year 9999` }),
  );

export const SearchTracesBody = z
  .object({
    projectId: requiredText("projectId", LIMITS.projectNameChars, "support-bot"),
    startedAfter: epochMsField("startedAfter"),
    startedBefore: epochMsField("startedBefore"),
    status: unmapped(enumOf("status", TRACE_SEARCH_STATUSES)),
    name: optionalText("name", LIMITS.queryChars),
    referenceId: optionalText("referenceId", LIMITS.shortFieldChars),
    sessionId: optionalText("sessionId", LIMITS.shortFieldChars),
    filters: unmapped(TraceFilters),
    sort: unmapped(enumOf("sort", TRACE_SEARCH_SORTS)).transform((sort) => sort ?? "startedAt:desc"),
    limit: unmapped(
      z
        .number({ error: () => `limit must be a whole number from 1 to ${TRACE_PAGE_MAX}` })
        .int({ error: `limit must be a whole number from 1 to ${TRACE_PAGE_MAX}` })
        .min(1, { error: "limit must be at least 1" })
        .max(TRACE_PAGE_MAX, { error: `limit must be at most ${TRACE_PAGE_MAX}` }),
    ).transform((limit) => limit ?? 50),
    cursor: optionalText("cursor", 1_000),
  })
  .meta({ id: "SearchTracesBody" });
export type SearchTracesBody = z.output<typeof SearchTracesBody>;

export const TraceSearchItem = z
  .object({
    id: z.string(),
    name: z.string(),
    startedAt: z.number(),
    endedAt: z.number().nullable(),
    latency: z.number().nullable(),
    referenceId: z.string().nullable(),
    sessionId: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    totalCost: z.number().nullable(),
    totalInputTokens: z.number(),
    totalOutputTokens: z.number(),
    spanIds: z.array(z.string()),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .meta({ id: "TraceSearchItem" });
export type TraceSearchItem = z.infer<typeof TraceSearchItem>;

export const SearchTracesResponse = z
  .object({
    pagination: z.object({
      limit: z.number().int(),
      returned: z.number().int(),
      hasMore: z.boolean(),
      nextCursor: z.string().nullable(),
    }),
    traces: z.array(TraceSearchItem),
  })
  .meta({ id: "TraceSearchPage" });
export type SearchTracesResponse = z.infer<typeof SearchTracesResponse>;
