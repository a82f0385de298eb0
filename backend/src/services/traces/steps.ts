import { randomUUID } from "node:crypto";
import { LIMITS, type AddStepInput, type AddStepResponse, type SpanInput } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { AWAITING_FINAL_STEP, loadOwnPending } from "../../evaluation/store";
import type { SyncGate } from "../../evaluation/sync-gate";
import type { EvaluationWorker } from "../../evaluation/worker";
import type { SpanAppendService } from "./append";

/** A payload as the log's text: a JSON string as its text, anything else as its JSON. */
const asText = (column: string) => `CASE WHEN jsonb_typeof(${column}) = 'string' THEN ${column} #>> '{}' ELSE ${column}::text END`;

/**
 * A run's end: a log held for its final step takes that step's output (else its last LLM step's) when it
 * was created without one, its latency, cost and model from its steps, and is handed to `owner` (the sync
 * gate) or to any worker (owner null). A log that is not held is left as it is.
 */
const END_RUN = `
UPDATE logs l SET
  output = CASE WHEN l.output <> '' THEN l.output ELSE left(coalesce($3, (
    SELECT ${asText("s.output")} FROM spans s WHERE s.trace_id = l.id AND s.kind = 'llm' AND s.output IS NOT NULL
    ORDER BY coalesce(s.ended_at, s.started_at) DESC, s.id DESC LIMIT 1), ''), $4) END,
  model = coalesce(l.model, (SELECT s.model FROM spans s WHERE s.trace_id = l.id AND s.kind = 'llm' AND s.model IS NOT NULL
    ORDER BY coalesce(s.ended_at, s.started_at) DESC, s.id DESC LIMIT 1)),
  latency_ms = coalesce(l.latency_ms, EXTRACT(EPOCH FROM (l.ended_at - l.started_at)) * 1000),
  cost_usd = CASE WHEN l.cost_usd IS NULL AND l.total_cost_usd > 0 THEN l.total_cost_usd ELSE l.cost_usd END,
  eval_lease_owner = $5,
  eval_lease_until = CASE WHEN $5::text IS NULL THEN NULL ELSE now() + $6 * interval '1 millisecond' END,
  eval_attempts = CASE WHEN $5::text IS NULL THEN 0 ELSE 1 END,
  updated_at = now()
WHERE l.id = $1 AND l.status = 'pending' AND l.eval_lease_owner = $2`;

/** The step as a span: its id, times and status filled in the way a no-code caller means them. */
export function stepSpan(step: AddStepInput, now = new Date()): SpanInput {
  const status = step.status ?? (step.error ? "error" : "ok");
  const endedAt = step.endedAt ?? (status === "running" ? undefined : now);
  const startedAt =
    step.startedAt ?? (step.durationMs !== undefined ? new Date((endedAt ?? now).getTime() - step.durationMs) : (endedAt ?? now));
  return {
    id: step.id ?? randomUUID(),
    parentSpanId: step.parentStepId,
    kind: step.kind ?? "chain",
    name: step.name,
    status,
    startedAt,
    endedAt,
    provider: step.provider,
    model: step.model,
    inputTokens: step.inputTokens,
    outputTokens: step.outputTokens,
    costUsd: step.costUsd,
    input: step.input,
    output: step.output,
    error: step.error ? { message: step.error } : undefined,
  } as SpanInput;
}

const outputText = (value: unknown): string | null =>
  value === undefined || value === null ? null : typeof value === "string" ? value : JSON.stringify(value);

/**
 * `POST /api/logs/:id/steps`: one step of a run from a no-code platform, as a span of the log's trace. The
 * final step ends a run held by `awaitFinalStep`: the log is evaluated then, inline when the caller waits
 * for the verdict (gate mode), else by a worker.
 */
export class StepService {
  constructor(
    private readonly spans: SpanAppendService,
    private readonly sql: SqlClient,
    private readonly gate: SyncGate,
    private readonly worker: Pick<EvaluationWorker, "notify">,
  ) {}

  async add(workspaceId: string, logId: string, step: AddStepInput): Promise<AddStepResponse> {
    const span = stepSpan(step);
    let ended = false;
    const end = async (tx: SqlClient) => {
      const owner = step.sync ? this.gate.owner : null;
      const rows = await tx.query(`${END_RUN} RETURNING l.id`, [
        logId,
        AWAITING_FINAL_STEP,
        outputText(step.output),
        LIMITS.outputChars,
        owner,
        this.gate.leaseMs,
      ]);
      ended = rows.length > 0;
    };
    const appended = await this.spans.append(workspaceId, logId, [span], step.final ? end : undefined);
    const answer = { ...appended, stepId: span.id, final: Boolean(step.final) };
    if (ended && !step.sync) this.worker.notify();
    if (!step.sync) return answer;
    const [pending] = ended ? await loadOwnPending(this.sql, this.gate.owner, [logId]) : [];
    const verdict = pending ? await this.gate.evaluate(pending) : await this.gate.answerFor(logId);
    return { ...verdict, ...answer };
  }
}
