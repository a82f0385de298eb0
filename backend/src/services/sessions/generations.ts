import type { Generation, GenerationList, ListGenerationsQuery, SpanStatus } from "@tracira/shared";
import { binder } from "../../db/bind";
import type { SqlClient } from "../../db/sql";
import { isoOrNull as iso } from "../../lib/values";
import { resolveProject } from "../traces/project-ref";
import { SPAN_DURATION_MS } from "../traces/trace-sql";

interface GenerationRow {
  session_id: string;
  trace_id: string;
  id: string;
  name: string;
  status: SpanStatus;
  provider: string | null;
  model: string | null;
  started_at: Date;
  ended_at: Date | null;
  latency_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_input_tokens: number | null;
  cost_usd: number | null;
  attributes: Record<string, unknown> | null;
  input_head: string | null;
}

/** Characters of a generation's input shown as its preview. */
export const INPUT_PREVIEW_CHARS = 200;

/** Attributes that describe the prompt: a key holding `prompt` or `template`, or the request's parameters. */
const PROMPT_KEY = /prompt|template|^gen_ai\.request\.|^llm\.invocation_parameters/i;

/** The input as text (a text as is, anything else as its JSON text), spaces collapsed, cut to INPUT_PREVIEW_CHARS characters with "…". */
export function inputPreview(head: string | null): string | null {
  if (head === null) return null;
  const text = head.replace(/\s+/g, " ").trim();
  const chars = [...text];
  return chars.length > INPUT_PREVIEW_CHARS ? `${chars.slice(0, INPUT_PREVIEW_CHARS).join("")}…` : text;
}

const promptMetadata = (attributes: Record<string, unknown> | null) =>
  Object.fromEntries(Object.entries(attributes ?? {}).filter(([k]) => PROMPT_KEY.test(k)));

/**
 * `GET …/sessions/generations`: every LLM event (event type `llm_call`) of the project's sessions, newest
 * first, on the spans' (workspace, event type, start, trace, id) index; `nextCursor` is
 * `<startedAt>|<traceId>|<spanId>`.
 */
export class GenerationQueryService {
  constructor(private readonly sql: SqlClient) {}

  async list(workspaceId: string, projectRef: string, q: ListGenerationsQuery): Promise<GenerationList> {
    const project = await resolveProject(this.sql, workspaceId, projectRef);
    const params: unknown[] = [workspaceId, project.id];
    const where = [
      `s.workspace_id = $1::uuid`,
      `s.event_type = 'llm_call'`,
      `l.workspace_id = $1::uuid`,
      `l.project_id = $2::uuid`,
      `l.session_id IS NOT NULL`,
    ];
    const bind = binder(params);
    if (q.sessionId !== undefined) where.push(`l.session_id = ${bind(q.sessionId)}`);
    if (q.model !== undefined) where.push(`s.model = ${bind(q.model)}`);
    if (q.cursor) {
      const { startedAt, traceId, spanId } = q.cursor;
      where.push(`(s.started_at, s.trace_id, s.id) < (${bind(startedAt.toISOString())}::timestamptz, ${bind(traceId)}, ${bind(spanId)})`);
    }
    const rows = await this.sql.query<GenerationRow>(
      `SELECT l.session_id, s.trace_id, s.id, s.name, s.status, s.provider, s.model, s.started_at, s.ended_at,
         ${SPAN_DURATION_MS} AS latency_ms, s.input_tokens, s.output_tokens, s.cached_input_tokens, s.cost_usd, s.attributes,
         left(CASE WHEN jsonb_typeof(s.input) = 'string' THEN s.input #>> '{}' ELSE s.input::text END, ${INPUT_PREVIEW_CHARS * 4}) AS input_head
       FROM spans s JOIN logs l ON l.id = s.trace_id
       WHERE ${where.join(" AND ")}
       ORDER BY s.started_at DESC, s.trace_id DESC, s.id DESC
       LIMIT ${bind(q.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      generations: page.map(toGeneration),
      nextCursor: rows.length > q.limit && last ? `${iso(last.started_at)}|${last.trace_id}|${last.id}` : null,
    };
  }
}

function toGeneration(r: GenerationRow): Generation {
  return {
    sessionId: r.session_id,
    traceId: r.trace_id,
    spanId: r.id,
    name: r.name,
    status: r.status,
    provider: r.provider,
    model: r.model,
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    latencyMs: r.latency_ms,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cachedInputTokens: r.cached_input_tokens,
    totalTokens: (r.input_tokens ?? 0) + (r.output_tokens ?? 0),
    costUsd: r.cost_usd,
    prompt: { metadata: promptMetadata(r.attributes), inputPreview: inputPreview(r.input_head) },
  };
}
