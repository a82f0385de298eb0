import { LOG_SORT_KEYS, LOG_STATUSES, SORT_DIRECTIONS, type ListLogsQuery } from "@tracira/shared";
import { ApiError } from "../../lib/api-error";
import { decodeCursor, encodeCursor, isCursorText, isCursorTime } from "../../lib/opaque-cursor";

type SortBy = ListLogsQuery["sortBy"];
type SortDir = ListLogsQuery["sortDir"];

/** Where a page of the log list ended: the last log's sort value, timestamp (epoch ms) and id, and the sort. */
export interface ListCursor {
  sortBy: SortBy;
  sortDir: SortDir;
  /** The sort column's value (null for `timestamp`, whose value is `timestamp`, and for a null model/latency/cost). */
  value: string | number | null;
  timestamp: number;
  id: string;
}

/** Opaque to callers: base64url of `[sortBy, sortDir, value, timestamp ms, id]`. */
export function encodeListCursor(cursor: ListCursor): string {
  const { sortBy, sortDir, value, timestamp, id } = cursor;
  return encodeCursor([sortBy, sortDir, value, timestamp, id]);
}

/** What the value of each sort may be in a cursor. */
const VALUE_OK: Record<SortBy, (v: unknown) => boolean> = {
  timestamp: (v) => v === null,
  projectName: (v) => typeof v === "string",
  status: (v) => (LOG_STATUSES as readonly unknown[]).includes(v),
  model: (v) => v === null || typeof v === "string",
  latencyMs: (v) => v === null || (typeof v === "number" && Number.isFinite(v)),
  costUsd: (v) => v === null || (typeof v === "number" && Number.isFinite(v)),
};

const invalid = (reason: string, message = "cursor must be the nextCursor of a previous answer, as it was given.") =>
  ApiError.invalid(`Invalid query: ${message}`, { cursor: reason });

/** A cursor from a previous answer of the same sort; anything else is a 400 naming `cursor`. */
export function decodeListCursor(text: string, q: Pick<ListLogsQuery, "sortBy" | "sortDir">): ListCursor {
  const [sortBy, sortDir, value, timestamp, id] = decodeCursor(text, 5) ?? [];
  const valid =
    (LOG_SORT_KEYS as readonly unknown[]).includes(sortBy) &&
    (SORT_DIRECTIONS as readonly unknown[]).includes(sortDir) &&
    VALUE_OK[sortBy as SortBy](value) &&
    !(typeof value === "string" && value.includes("\u0000")) &&
    isCursorTime(timestamp) &&
    isCursorText(id);
  if (!valid) throw invalid("is not a nextCursor of a previous answer");
  if (sortBy !== q.sortBy || sortDir !== q.sortDir) {
    throw invalid(
      `belongs to sortBy=${sortBy}&sortDir=${sortDir}, not sortBy=${q.sortBy}&sortDir=${q.sortDir}`,
      `this cursor walks sortBy=${sortBy}&sortDir=${sortDir}; send the same sort with it, or start again without a cursor.`,
    );
  }
  return { sortBy, sortDir, value, timestamp, id } as ListCursor;
}
