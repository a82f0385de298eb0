import { TRACE_SEARCH_SORTS, type TraceSearchSort } from "@tracira/shared";
import { ApiError } from "../../lib/api-error";
import { decodeCursor, encodeCursor, isCursorText, isCursorTime } from "../../lib/opaque-cursor";

/** Where a page of trace search ended: the last trace's start (epoch ms) and id, and the sort the walk goes by. */
export interface SearchCursor {
  sort: TraceSearchSort;
  startedAt: number;
  id: string;
}

/** Opaque to callers: base64url of `[sort, startedAt ms, id]`. */
export function encodeSearchCursor(cursor: SearchCursor): string {
  return encodeCursor([cursor.sort, cursor.startedAt, cursor.id]);
}

/** A cursor from a previous answer of the same sort; anything else is a 400 naming `cursor`. */
export function decodeSearchCursor(text: string, sort: TraceSearchSort): SearchCursor {
  const [cursorSort, startedAt, id] = decodeCursor(text, 3) ?? [];
  const valid = (TRACE_SEARCH_SORTS as readonly unknown[]).includes(cursorSort) && isCursorTime(startedAt) && isCursorText(id);
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
