import type { ExportSessionsQuery } from "@tracira/shared";
import { binder } from "../../db/bind";
import type { SqlClient } from "../../db/sql";
import { csvLine, type CsvDownload } from "../../lib/csv";
import { isoOrNull as iso } from "../../lib/values";
import { resolveProject, type ProjectRef } from "../traces/project-ref";
import { eventsQuery, type EventRow } from "./events";
import { sessionFilter } from "./session-filter";

/** The export's columns, one row per event (the session API's event fields, with the session and turn). */
export const EXPORT_COLUMNS = [
  "sessionId",
  "traceId",
  "turn",
  "spanId",
  "parentSpanId",
  "eventType",
  "decisionKind",
  "kind",
  "name",
  "status",
  "startedAt",
  "endedAt",
  "durationMs",
  "provider",
  "model",
  "inputTokens",
  "outputTokens",
  "cachedInputTokens",
  "costUsd",
  "input",
  "output",
  "error",
  "attributes",
  "synthesized",
] as const;

/** Traces read per query while walking the sessions, and events per query. */
const TRACE_PAGE = 1_000;
const EVENT_BATCH = 1_000;

interface ExportTrace {
  id: string;
  session_id: string;
  started_at: Date;
  span_count: number;
  turn: number;
}

/** A payload as one cell: a text as it is, any other value as its JSON text, nothing as empty. */
const payload = (value: unknown) =>
  value === null || value === undefined ? null : typeof value === "string" ? value : JSON.stringify(value);

/**
 * `GET …/sessions/export?format=csv`: every event of the project's sessions (those the session list's
 * filters select, or one `sessionId`), narrowed by event type and decision kind, session by session, turn by
 * turn, each trace in tree order. Produced in keyset batches while the file is written: the traces in pages
 * of TRACE_PAGE (by session, start, id), their events in batches of at most EVENT_BATCH.
 */
export class SessionExportService {
  constructor(private readonly sql: SqlClient) {}

  async open(workspaceId: string, projectRef: string, q: ExportSessionsQuery): Promise<CsvDownload> {
    const project = await resolveProject(this.sql, workspaceId, projectRef);
    return {
      filename: `sessions-${project.name.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 80)}.csv`,
      header: EXPORT_COLUMNS,
      records: this.records(workspaceId, project, q),
    };
  }

  /** The CSV records, one batch of events (one text) at a time. */
  private async *records(workspaceId: string, project: ProjectRef, q: ExportSessionsQuery): AsyncGenerator<string> {
    for await (const traces of this.traces(workspaceId, project, q)) {
      for (const chunk of chunks(traces)) {
        let after: { pos: number; sortKey: string; id: string } | undefined;
        for (;;) {
          const batch = eventsQuery(
            workspaceId,
            chunk.map((t) => t.id),
            project.name,
            // One row past the batch says whether another batch follows (no query that finds nothing).
            { eventTypes: q.eventType, decisionKinds: q.decisionKind, after, limit: EVENT_BATCH + 1 },
          );
          const rows = await this.sql.query<EventRow>(batch.text, batch.params);
          const page = rows.slice(0, EVENT_BATCH);
          if (page.length) yield page.map((row) => toLine(chunk[row.pos - 1]!, row)).join("");
          const last = page.at(-1);
          if (rows.length <= EVENT_BATCH || !last) break;
          after = { pos: last.pos, sortKey: last.sort_key, id: last.id };
        }
      }
    }
  }

  /** The selected sessions' traces, page by page, each with its turn (counted along the walk: sessions are whole). */
  private async *traces(workspaceId: string, project: ProjectRef, q: ExportSessionsQuery): AsyncGenerator<ExportTrace[]> {
    const params: unknown[] = [workspaceId, project.id];
    const { where, having } = sessionFilter(q, params);
    const conditions = [...where];
    if (having.length) {
      conditions.push(`l.session_id IN (SELECT l.session_id FROM logs l WHERE ${where.join(" AND ")}
        GROUP BY l.session_id HAVING ${having.join(" AND ")})`);
    }
    if (q.sessionId !== undefined) conditions.push(`l.session_id = ${binder(params)(q.sessionId)}`);
    const readPage = (last: Omit<ExportTrace, "turn"> | undefined) => {
      const pageParams = [...params];
      const bind = binder(pageParams);
      const after = last
        ? [`(l.session_id, l.started_at, l.id) > (${bind(last.session_id)}, ${bind(iso(last.started_at))}::timestamptz, ${bind(last.id)})`]
        : [];
      return this.sql.query<Omit<ExportTrace, "turn">>(
        `SELECT l.id, l.session_id, l.started_at, l.span_count FROM logs l
         WHERE ${[...conditions, ...after].join(" AND ")}
         ORDER BY l.session_id, l.started_at, l.id
         LIMIT ${TRACE_PAGE}`,
        pageParams,
      );
    };
    let session: string | null = null;
    let turn = 0;
    let last: Omit<ExportTrace, "turn"> | undefined;
    for (;;) {
      const rows = await readPage(last);
      if (rows.length === 0) return;
      yield rows.map((r) => {
        turn = r.session_id === session ? turn + 1 : 1;
        session = r.session_id;
        return { ...r, turn };
      });
      if (rows.length < TRACE_PAGE) return;
      last = rows.at(-1);
    }
  }
}

/** Consecutive traces whose events (a log without spans: one) add up to at most EVENT_BATCH; a larger trace alone. */
function chunks(traces: readonly ExportTrace[]): ExportTrace[][] {
  const out: ExportTrace[][] = [];
  let current: ExportTrace[] = [];
  let size = 0;
  for (const t of traces) {
    const events = Math.max(t.span_count, 1);
    if (current.length && size + events > EVENT_BATCH) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(t);
    size += events;
  }
  if (current.length) out.push(current);
  return out;
}

function toLine(trace: ExportTrace, r: EventRow): string {
  return csvLine([
    trace.session_id,
    r.trace_id,
    trace.turn,
    r.id,
    r.parent_span_id,
    r.event_type,
    r.decision_kind,
    r.kind,
    r.name,
    r.status,
    iso(r.started_at),
    iso(r.ended_at),
    r.duration_ms,
    r.provider,
    r.model,
    r.input_tokens,
    r.output_tokens,
    r.cached_input_tokens,
    r.cost_usd,
    payload(r.input),
    payload(r.output),
    payload(r.error),
    JSON.stringify(r.attributes ?? {}),
    r.synthesized,
  ]);
}
