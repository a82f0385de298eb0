import { LangSmithBatch, type LangSmithAccepted } from "@tracira/shared";
import { arrayLiteral } from "../../../db/array-literal";
import type { SqlClient } from "../../../db/sql";
import { ApiError } from "../../../lib/api-error";
import type { TracePartWriter } from "../parts";
import { eventTypeOf, REFRESH_ROLLUPS } from "../spans";
import { labelBatch, mapRuns, type LabelledRun } from "./map";
import { readMultipartRuns } from "./multipart";

/**
 * A run whose update came before the run itself was stored under its id as its name (the update names
 * neither the run nor its type, and the span upsert keeps a stored span's name and kind): when the run comes,
 * it takes the run's name, kind, start and event type, and the trace's rollups are counted again.
 */
const PLACEHOLDER = `
UPDATE spans s SET name = v.name, kind = v.kind, started_at = v.started_at, event_type = v.event_type
FROM jsonb_to_recordset($2::jsonb) AS v(id text, name text, kind text, started_at timestamptz, event_type text)
WHERE s.trace_id = $1 AND s.id = v.id AND s.name = s.id AND v.name <> v.id
RETURNING s.id`;

/**
 * The LangSmith run API (`LANGCHAIN_ENDPOINT=<tracira>/api/langsmith`): runs become spans of traces stored
 * as OTLP's are (one log per trace, held until its root run has ended, then evaluated by the workspace's
 * rules). A request is checked whole before anything of it is stored.
 */
export class LangSmithIngestService {
  constructor(
    private readonly parts: TracePartWriter,
    private readonly sql: SqlClient,
    private readonly defaultProject = "default",
  ) {}

  /** `POST /runs`, `PATCH /runs/:id`, `POST /runs/batch`: runs already checked by their contracts. */
  async ingest(workspaceId: string, runs: readonly LabelledRun[]): Promise<LangSmithAccepted> {
    const traces = mapRuns(runs, this.defaultProject);
    await this.assertOwnTraces(
      workspaceId,
      traces.map((t) => t.traceId),
    );
    for (const trace of traces) {
      const runs = trace.spans.map((span) => ({
        id: span.id,
        name: span.name,
        kind: span.kind,
        started_at: span.startedAt!.toISOString(),
        event_type: eventTypeOf(span),
      }));
      await this.parts.store(workspaceId, trace, async (tx) => {
        const completed = await tx.query(PLACEHOLDER, [trace.traceId, JSON.stringify(runs)]);
        if (completed.length) await tx.query(REFRESH_ROLLUPS, [trace.traceId, null, null, null, null, null]);
      });
    }
    return { ok: true, runs: runs.length, traces: traces.length };
  }

  /** `POST /runs/multipart`: the parts read into a batch, checked by the batch's contract (errors name the part). */
  async ingestMultipart(workspaceId: string, body: Buffer, contentType: string): Promise<LangSmithAccepted> {
    const { batch, parts } = await readMultipartRuns(body, contentType);
    const parsed = LangSmithBatch.safeParse(batch);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [op, index] = issue.path as [("post" | "patch")?, number?];
        if (op && typeof index === "number") issue.path.splice(0, 2, parts[op][index]!);
      }
      throw ApiError.fromZod(parsed.error, "body");
    }
    const labelled = labelBatch(parsed.data).map(({ label, run }) => {
      const [op, index] = label.split(".") as ["post" | "patch", string];
      return { label: parts[op][Number(index)]!, run };
    });
    return this.ingest(workspaceId, labelled);
  }

  /** A trace id another workspace holds refuses the whole request, before any of its traces is written. */
  private async assertOwnTraces(workspaceId: string, traceIds: string[]): Promise<void> {
    const taken = await this.sql.query<{ id: string }>(`SELECT id FROM logs WHERE id = ANY($1::text[]) AND workspace_id <> $2::uuid`, [
      arrayLiteral(traceIds),
      workspaceId,
    ]);
    if (taken.length) {
      throw ApiError.conflict(`The trace id "${taken[0]!.id}" is already taken. Send runs of new traces (new root run ids).`, {
        trace_id: "already taken",
      });
    }
  }
}
