import { randomUUID } from "node:crypto";
import { LIMITS, type AddStepInput, type AddStepResponse, type SpanInput } from "@tracira/shared";
import type { SqlClient } from "../../db/sql";
import { AWAITING_FINAL_STEP, AWAITING_FINAL_STEP_OUTPUT, loadOwnPending } from "../../evaluation/store";
import type { SyncGate } from "../../evaluation/sync-gate";
import type { EvaluationWorker } from "../../evaluation/worker";
import type { SpanAppendService } from "./append";

/** A payload as the log's text: a JSON string as its text, anything else as its JSON. */
const asText = (column: string) => `CASE WHEN jsonb_typeof(${column}) = 'string' THEN ${column} #>> '{}' ELSE ${column}::text END`;

/** The run's last LLM step's `column` (among the steps that have one). */
const lastLlm = (expression: string, column: string) =>
  `(SELECT ${expression} FROM spans s WHERE s.trace_id = l.id AND s.kind = 'llm' AND s.${column} IS NOT NULL
    ORDER BY coalesce(s.ended_at, s.started_at) DESC, s.id DESC LIMIT 1)`;

/**
 * A step of a run held for its final step (`$2`: the holds). A log created without an output (held by `$8`)
 * takes its run's latest one: the final step's (`$3`, given for final steps only), else the last LLM step's,
 * so a run whose final step never comes is evaluated with the output it got to. The final step (`$7`) ends
 * the run: the log takes its model, latency and cost from the steps when it gave none, and is handed to `$5`
 * (the sync gate) or to any worker (null). A log that is not held is left as it is.
 */
const STEP_OF_HELD_RUN = `
UPDATE logs l SET
  output = CASE WHEN l.eval_lease_owner = $8 THEN left(coalesce($3, ${lastLlm(asText("s.output"), "output")}, l.output), $4) ELSE l.output END,
  model = CASE WHEN $7 THEN coalesce(l.model, ${lastLlm("s.model", "model")}) ELSE l.model END,
  latency_ms = CASE WHEN $7 THEN coalesce(l.latency_ms, EXTRACT(EPOCH FROM (l.ended_at - l.started_at)) * 1000) ELSE l.latency_ms END,
  cost_usd = CASE WHEN $7 AND l.cost_usd IS NULL AND l.total_cost_usd > 0 THEN l.total_cost_usd ELSE l.cost_usd END,
  eval_lease_owner = CASE WHEN $7 THEN $5 ELSE l.eval_lease_owner END,
  eval_lease_until = CASE WHEN NOT $7 THEN l.eval_lease_until WHEN $5::text IS NULL THEN NULL
    ELSE now() + $6 * interval '1 millisecond' END,
  eval_attempts = CASE WHEN NOT $7 THEN l.eval_attempts WHEN $5::text IS NULL THEN 0 ELSE 1 END,
  updated_at = now()
WHERE l.id = $1 AND l.status = 'pending' AND l.eval_lease_owner = ANY($2::text[])`;

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
    const refresh = async (tx: SqlClient) => {
      const final = Boolean(step.final);
      const rows = await tx.query(`${STEP_OF_HELD_RUN} RETURNING l.id`, [
        logId,
        [AWAITING_FINAL_STEP, AWAITING_FINAL_STEP_OUTPUT],
        final ? outputText(step.output) : null,
        LIMITS.outputChars,
        step.sync ? this.gate.owner : null,
        this.gate.leaseMs,
        final,
        AWAITING_FINAL_STEP_OUTPUT,
      ]);
      ended = final && rows.length > 0;
    };
    const appended = await this.spans.append(workspaceId, logId, [span], refresh);
    const answer = { ...appended, stepId: span.id, final: Boolean(step.final) };
    if (ended && !step.sync) this.worker.notify();
    if (!step.sync) return answer;
    const [pending] = ended ? await loadOwnPending(this.sql, this.gate.owner, [logId]) : [];
    const verdict = pending ? await this.gate.evaluate(pending) : await this.gate.answerFor(logId);
    return { ...verdict, ...answer };
  }
}
