import type { Backend } from "./backend";

/** The names, kinds and step ids of the 3-step run every platform's Add Step test records. */
export const STEPS = {
  plan: { id: "plan", name: "Plan the reply", kind: "agent" },
  draft: { id: "draft", name: "Draft reply", kind: "llm", model: "gpt-4o-mini", inputTokens: 120, outputTokens: 45, costUsd: 0.0012 },
  check: { id: "check", name: "Check policy", kind: "guardrail" },
} as const;

interface Span {
  id: string;
  parent_span_id: string | null;
  kind: string;
  name: string;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
}

/**
 * GET /api/traces/:logId holds exactly the three steps: the plan at the top, the draft and the check inside it,
 * each with its kind, and the draft with its model, tokens and cost. Answers the trace for further checks.
 */
export async function expectThreeStepTrace(backend: Backend, logId: string): Promise<{ trace: Record<string, unknown>; spans: Span[] }> {
  const answer = await backend.call("GET", `/api/traces/${encodeURIComponent(logId)}`);
  expect(answer.status).toBe(200);
  const spans = answer.body.spans as Span[];
  expect(spans).toHaveLength(3);
  const byName = (name: string) => spans.find((s) => s.name === name)!;
  const [plan, draft, check] = [byName(STEPS.plan.name), byName(STEPS.draft.name), byName(STEPS.check.name)];
  expect(plan).toMatchObject({ kind: STEPS.plan.kind, parent_span_id: null });
  expect(draft).toMatchObject({
    kind: STEPS.draft.kind,
    parent_span_id: plan.id,
    model: STEPS.draft.model,
    input_tokens: STEPS.draft.inputTokens,
    output_tokens: STEPS.draft.outputTokens,
    cost_usd: STEPS.draft.costUsd,
  });
  expect(check).toMatchObject({ kind: STEPS.check.kind, parent_span_id: plan.id });
  return answer.body;
}
