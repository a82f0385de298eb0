import { TRACE_SEARCH_SORTS, type TraceSearchSort } from "@tracira/shared";
import { ApiError } from "../../lib/api-error";

/** Where a page of trace search ended: the last trace's start (epoch ms) and id, and the sort the walk goes by. */
export interface SearchCursor {
  sort: TraceSearchSort;
  startedAt: number;
  id: string;
}

/** The largest epoch ms a Date holds. */
const MAX_DATE_MS = 8.64e15;

/** Opaque to callers: base64url of `[sort, startedAt ms, id]`. */
export function encodeSearchCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.startedAt, cursor.id])).toString("base64url");
}

/** A cursor from a previous answer of the same sort; anything else is a 400 naming `cursor`. */
export function decodeSearchCursor(text: string, sort: TraceSearchSort): SearchCursor {
  let decoded: unknown;
  try {
    decoded = /^[A-Za-z0-9_-]+$/.test(text) ? JSON.parse(Buffer.from(text, "base64url").toString("utf8")) : undefined;
  } catch {
    decoded = undefined;
  }
  const [cursorSort, startedAt, id] = Array.isArray(decoded) && decoded.length === 3 ? decoded : [];
  const valid =
    (TRACE_SEARCH_SORTS as readonly unknown[]).includes(cursorSort) &&
    Number.isSafeInteger(startedAt) &&
    Math.abs(startedAt as number) <= MAX_DATE_MS &&
    typeof id === "string" &&
    id.length > 0 &&
    !id.includes("\u0000");
  if (!valid) {
    throw ApiError.invalid("Invalid request body: cursor must be the nextCursor of a previous answer, as it was given.", {
      cursor: "is not a nextCursor of a previous answer",
    });
  }
  if (cursorSort !== sort) {
    throw ApiError.invalid(
      `Invalid request body: this cursor walks ${cursorSort}; send the same sort with it, or start again without a cursor.`,
      {
        cursor: `belongs to sort ${cursorSort}, not ${sort}`,
      },
    );
  }
  return { sort, startedAt: startedAt as number, id };
}
