import { query } from "../lib/db.mjs";

/**
 * Traces seeded by SQL, as the server stores them (a log with its rollups, spans with their dotted_order and
 * event type): loading a million spans over HTTP would take longer than everything measured on them.
 *
 * Trace i of a project: started `i` × `spacingMs` before now (newest first), in session `<prefix>-<i / per
 * session>`, one of four models, tags and metadata spread over a few values (so filters select a share of the
 * traces, not all or none), about one in twelve verdicts flagged, one in ninety-seven an error. Its
 * spans: an `agent` root spanning the trace, then children that alternate an LLM call (tokens, cost) and a
 * tool call (the first tool call of every 25th trace fails, and that trace's execution status is error), 40 ms each, in sequence.
 */
export async function seedProject(database, { workspaceId, name, traces, spansPerTrace, tracesPerSession, spacingMs, sessionPrefix }) {
  const [project] = await query(database, `INSERT INTO projects (id, workspace_id, name) VALUES (gen_random_uuid(), $1, $2) RETURNING id`, [
    workspaceId,
    name,
  ]);
  const children = spansPerTrace - 1;
  const llmCalls = Math.ceil(children / 2);
  const toolCalls = Math.floor(children / 2);
  await query(
    database,
    `INSERT INTO logs (id, workspace_id, project_id, task_name, timestamp, created_at, updated_at, session_id, subject_id, model,
       latency_ms, cost_usd, output, metadata, tags, status, verdict, confidence_score, explanation, evaluated_at,
       trace_name, trace_status, span_count, error_count, llm_call_count, tool_call_count, total_input_tokens,
       total_output_tokens, total_cost_usd, started_at, ended_at)
     SELECT $2 || '-' || i, $1::uuid, $3::uuid, 'reply', t.at, t.at, t.at, $4 || '-' || (i / $5), 'ticket-' || (i % 5000),
       (ARRAY['gpt-4o-mini', 'gpt-4o', 'claude-haiku-4-5', 'claude-sonnet-4-5'])[1 + i % 4],
       $6 * 40, round((0.002 + (i % 50) * 0.0004)::numeric, 5)::float8, 'Your order ' || i || ' ships today.',
       jsonb_build_object('tier', (ARRAY['gold', 'silver', 'bronze'])[1 + i % 3], 'customer', 'c-' || (i % 1000), 'priority', i % 5),
       CASE i % 4 WHEN 0 THEN ARRAY['prod', 'v1'] WHEN 1 THEN ARRAY['prod', 'v2'] WHEN 2 THEN ARRAY['staging'] ELSE ARRAY[]::text[] END,
       v.status::log_status, v.status::log_status, 1, 'seeded', t.at,
       'chat-turn', CASE WHEN $8 > 0 AND i % 25 = 3 THEN 'error' ELSE 'ok' END, $7, CASE WHEN $8 > 0 AND i % 25 = 3 THEN 1 ELSE 0 END,
       $9, $8, $9 * (400 + i % 100), $9 * (60 + i % 20), round(($9 * (0.002 + (i % 50) * 0.0004))::numeric, 5)::float8,
       t.at, t.at + $6 * interval '40 milliseconds'
     FROM generate_series(0, $10 - 1) AS i,
       LATERAL (SELECT now() - i * $11 * interval '1 millisecond' AS at) t,
       LATERAL (SELECT CASE WHEN i % 12 = 5 THEN 'flagged' WHEN i % 97 = 11 THEN 'error' ELSE 'pass' END AS status) v`,
    [workspaceId, name, project.id, sessionPrefix, tracesPerSession, spansPerTrace, spansPerTrace, toolCalls, llmCalls, traces, spacingMs],
  );
  await query(
    database,
    `INSERT INTO spans (id, trace_id, workspace_id, parent_span_id, kind, name, status, started_at, ended_at, provider, model,
       input_tokens, output_tokens, cost_usd, input, output, error, attributes, dotted_order, event_type, decision_kind)
     SELECT 's' || k, l.id, l.workspace_id, CASE WHEN k = 0 THEN NULL ELSE 's0' END,
       c.kind, c.name, c.status, c.started, c.started + CASE WHEN k = 0 THEN $2 ELSE 1 END * interval '40 milliseconds',
       CASE WHEN c.kind = 'llm' THEN 'openai' END, CASE WHEN c.kind = 'llm' THEN l.model END,
       CASE WHEN c.kind = 'llm' THEN 400 + n % 100 END, CASE WHEN c.kind = 'llm' THEN 60 + n % 20 END,
       CASE WHEN c.kind = 'llm' THEN round((0.002 + (n % 50) * 0.0004)::numeric, 5)::float8 END,
       jsonb_build_object('q', 'order ' || n), jsonb_build_object('text', 'result ' || n),
       CASE WHEN c.status = 'error' THEN jsonb_build_object('message', 'timeout after 3000 ms') END,
       jsonb_build_object('step', k, 'region', (ARRAY['eu', 'us'])[1 + n % 2]),
       CASE WHEN k = 0 THEN r.segment ELSE r.segment || '.' || (extract(epoch FROM c.started) * 1000)::bigint || '-s' || k END,
       CASE WHEN c.status = 'error' THEN 'error' WHEN c.kind = 'llm' THEN 'llm_call' WHEN c.kind = 'tool' THEN 'tool_call' ELSE 'response' END,
       NULL
     FROM logs l
       CROSS JOIN generate_series(0, $2 - 1) AS k
       CROSS JOIN LATERAL (SELECT substring(l.id FROM '([0-9]+)$')::int AS n) i(n)
       CROSS JOIN LATERAL (SELECT (extract(epoch FROM l.started_at) * 1000)::bigint || '-s0' AS segment) r
       CROSS JOIN LATERAL (SELECT
         CASE WHEN k = 0 THEN 'agent' WHEN k % 2 = 1 THEN 'llm' ELSE 'tool' END AS kind,
         CASE WHEN k = 0 THEN 'agent-turn' WHEN k % 2 = 1 THEN 'chat ' || l.model ELSE 'lookup_order' END AS name,
         CASE WHEN k > 0 AND k % 2 = 0 AND n % 25 = 3 AND k = 2 THEN 'error' ELSE 'ok' END AS status,
         l.started_at + greatest(k - 1, 0) * interval '40 milliseconds' AS started) c
     WHERE l.project_id = $1::uuid`,
    [project.id, spansPerTrace],
  );
  return project.id;
}

/** Tables vacuumed and analysed after seeding, so plans and timings see settled tables. */
export async function settleSeeded(database) {
  for (const table of ["logs", "spans", "evaluations", "projects"]) await query(database, `VACUUM (ANALYZE) ${table}`);
}
