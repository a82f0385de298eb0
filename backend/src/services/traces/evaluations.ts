import type { EvaluationInput } from "@tracira/shared";
import { arrayLiteral } from "../../db/array-literal";
import type { SqlClient } from "../../db/sql";
import { ApiError } from "../../lib/api-error";

/** Evaluator names Tracira writes itself: a caller's own evaluations use other names. */
const RESERVED = /^(rule|llm_judge|human)(\.|$)/;
/**
 * A caller's own evaluation, in SQL: the predicate of the partial index of their names (migration
 * 20261207211500_own_evaluation_names), word for word, so the planner can prove a read may use it.
 */
const OWN_EVALUATION = `evaluator !~ '^(rule|llm_judge|human)(\\.|$)'`;

/** The names the dashboard offers at most as `evaluations.<name>` filter columns. */
export const EVALUATION_NAMES_MAX = 200;
/** A caller's evaluations shown at most per log in the dashboard's list. */
const SCORES_PER_LOG = 5;

/**
 * The workspace's distinct own evaluation names in name order, by skipping through the index: one index
 * lookup per name, however many evaluations carry it, and no more than the limit asks for.
 */
export const EVALUATION_NAMES_SQL = `
WITH RECURSIVE names AS (
  (SELECT name FROM evaluations WHERE workspace_id = $1::uuid AND ${OWN_EVALUATION} ORDER BY name LIMIT 1)
  UNION ALL
  SELECT (SELECT e.name FROM evaluations e WHERE e.workspace_id = $1::uuid AND e.${OWN_EVALUATION} AND e.name > n.name
          ORDER BY e.name LIMIT 1)
  FROM names n WHERE n.name IS NOT NULL
)
SELECT name FROM names WHERE name IS NOT NULL LIMIT $2`;

/** Each listed log's latest own evaluations (by the evaluations' trace index). */
const SCORES = `
SELECT t.id AS trace_id, e.name, e.score, e.label
FROM unnest($2::text[]) AS t(id)
CROSS JOIN LATERAL (
  SELECT name, score, label, created_at, id FROM evaluations e
  WHERE e.trace_id = t.id AND e.workspace_id = $1::uuid AND e.${OWN_EVALUATION}
  ORDER BY created_at DESC, id LIMIT ${SCORES_PER_LOG}
) e
ORDER BY t.id, e.name`;

export interface EvaluationScore {
  name: string;
  score: number | null;
  label: string | null;
}

const INSERT = `
INSERT INTO evaluations (id, trace_id, workspace_id, span_id, evaluator, evaluator_version, name, score, label, reason, metadata)
SELECT e.id, $1, $2::uuid, e.span_id, e.evaluator, e.evaluator_version, e.name, e.score, e.label, e.reason, e.metadata
FROM jsonb_to_recordset($3::jsonb) AS e(id text, span_id text, evaluator text, evaluator_version text, name text, score float8,
  label text, reason text, metadata jsonb)
ON CONFLICT (trace_id, id) DO NOTHING`;

/**
 * `POST /api/logs/:id/evaluations`: a caller's own scores on a trace, idempotent by evaluation id (the same
 * id posted again is stored once). They show with the trace and never change the log's verdict. The
 * dashboard reads their names (filter columns) and each listed log's scores.
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

  /** The names of the workspace's own evaluations (not rules' or reviews'), in name order, at most `limit`. */
  async names(workspaceId: string, limit = EVALUATION_NAMES_MAX): Promise<string[]> {
    const rows = await this.sql.query<{ name: string }>(EVALUATION_NAMES_SQL, [workspaceId, limit]);
    return rows.map((r) => r.name);
  }

  /** The latest own evaluations of each of these logs (of this workspace), by log id; logs without any are left out. */
  async scores(workspaceId: string, traceIds: readonly string[]): Promise<Record<string, EvaluationScore[]>> {
    if (traceIds.length === 0) return {};
    const rows = await this.sql.query<{ trace_id: string } & EvaluationScore>(SCORES, [workspaceId, arrayLiteral([...new Set(traceIds)])]);
    const byTrace: Record<string, EvaluationScore[]> = {};
    for (const { trace_id, ...score } of rows) (byTrace[trace_id] ??= []).push(score);
    return byTrace;
  }
}
