import type { EvaluationInput } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../lib/api-error";

/** Evaluator names Tracira writes itself: a caller's own evaluations use other names. */
const RESERVED = /^(rule|llm_judge|human)(\.|$)/;

const INSERT = `
INSERT INTO evaluations (id, trace_id, workspace_id, span_id, evaluator, evaluator_version, name, score, label, reason, metadata)
SELECT e.id, $1, $2::uuid, e.span_id, e.evaluator, e.evaluator_version, e.name, e.score, e.label, e.reason, e.metadata
FROM jsonb_to_recordset($3::jsonb) AS e(id text, span_id text, evaluator text, evaluator_version text, name text, score float8,
  label text, reason text, metadata jsonb)
ON CONFLICT (trace_id, id) DO NOTHING`;

/**
 * `POST /api/logs/:id/evaluations`: a caller's own scores on a trace, idempotent by evaluation id (the same
 * id posted again is stored once). They show with the trace and never change the log's verdict.
 */
export class EvaluationService {
  constructor(private readonly sql: SqlClient) {}

  async add(
    workspaceId: string,
    traceId: string,
    evaluations: readonly EvaluationInput[],
  ): Promise<{ ok: true; traceId: string; stored: number }> {
    evaluations.forEach((e, i) => {
      if (RESERVED.test(e.evaluator)) {
        throw ApiError.invalid(
          `evaluations[${i}].evaluator "${e.evaluator}" is Tracira's own (rule.*, llm_judge.*, human): name your evaluator otherwise.`,
          {
            [`evaluations.${i}.evaluator`]: "is reserved",
          },
        );
      }
    });
    return this.sql.transaction(async (tx) => {
      const [log] = await tx.query<{ id: string }>(`SELECT id FROM logs WHERE id = $1 AND workspace_id = $2::uuid`, [traceId, workspaceId]);
      if (!log) throw ApiError.notFound("Log");
      const spanIds = [...new Set(evaluations.map((e) => e.spanId).filter((id): id is string => Boolean(id)))];
      if (spanIds.length) {
        const found = await tx.query<{ id: string }>(`SELECT id FROM spans WHERE trace_id = $1 AND id = ANY($2::text[])`, [
          traceId,
          spanIds,
        ]);
        const known = new Set(found.map((r) => r.id));
        const i = evaluations.findIndex((e) => e.spanId && !known.has(e.spanId));
        if (i >= 0)
          throw ApiError.invalid(`evaluations[${i}].spanId "${evaluations[i]!.spanId}" is not a span of this trace.`, {
            [`evaluations.${i}.spanId`]: "is not a span of this trace",
          });
      }
      const rows = evaluations.map((e) => ({
        id: e.id,
        span_id: e.spanId ?? null,
        evaluator: e.evaluator,
        evaluator_version: e.evaluatorVersion ?? null,
        name: e.name,
        score: e.score ?? null,
        label: e.label ?? null,
        reason: e.reason ?? null,
        metadata: e.metadata ?? null,
      }));
      const stored = await tx.query<{ n: number }>(`WITH ins AS (${INSERT} RETURNING 1) SELECT count(*)::int AS n FROM ins`, [
        traceId,
        workspaceId,
        JSON.stringify(rows),
      ]);
      return { ok: true as const, traceId, stored: stored[0]?.n ?? 0 };
    });
  }
}
