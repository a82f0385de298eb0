import { once } from "node:events";
import type { Response } from "express";
import { csvLine, type CsvDownload } from "../lib/csv";

/**
 * Streams a CSV file: headers, the header row, then each batch of records as the reader takes it (a full socket buffer
 * pauses the producer until it drains; a reader gone stops it). A failure after the first byte can no longer
 * become an error answer: the connection is cut (the reader sees an incomplete download, not a file that
 * looks whole) and the error goes on to be logged.
 */
export async function sendCsv(res: Response, download: CsvDownload): Promise<undefined> {
  res.status(200).set({
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${download.filename}"`,
    "Cache-Control": "no-store",
  });
  try {
    res.write(csvLine(download.header));
    for await (const text of download.records) {
      if (res.destroyed) return undefined;
      if (!res.write(text)) await drainedOrClosed(res);
    }
    res.end();
  } catch (err) {
    res.destroy();
    throw err;
  }
  return undefined;
}

/**
 * Waits for the socket buffer to drain or the reader to leave (an error ends the wait too: the loop then sees
 * the response destroyed). The wait that did not end is cancelled, so no listener is left behind per pause.
 */
async function drainedOrClosed(res: Response): Promise<void> {
  const done = new AbortController();
  const wait = (event: string) =>
    once(res, event, { signal: done.signal }).then(
      () => undefined,
      () => undefined,
    );
  try {
    await Promise.race([wait("drain"), wait("close")]);
  } finally {
    done.abort();
  }
}
