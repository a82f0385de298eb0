import { fieldError } from "../errors";
import type { RuleDraft, SpanKind } from "../hooks/useRuleDraft";
import { Field } from "./Field";

interface Props {
  draft: RuleDraft;
  set: <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) => void;
  error: unknown;
}

/** Every span kind as the editor names it (a Record, so a new kind cannot be missed here). */
const SPAN_KIND_LABELS: Record<SpanKind, string> = {
  agent: "Agent",
  runner_step: "Runner step",
  llm: "LLM call",
  tool: "Tool call",
  mcp: "MCP call",
  webhook: "Webhook",
  condition: "Condition",
  embedding: "Embedding",
  guardrail: "Guardrail (checks its input)",
  chain: "Chain",
};
const SPAN_KINDS = Object.keys(SPAN_KIND_LABELS) as SpanKind[];

/** What a rule checks: the log's output, or each span of its trace (of one kind and name, if given). */
export function RuleTargetFields({ draft, set, error }: Props) {
  return (
    <>
      <Field
        label="Checks"
        error={fieldError(error, "target")}
        hint={draft.target === "spans" ? "The trace is flagged when any matching span fails." : undefined}
      >
        {(control) => (
          <select {...control} value={draft.target} onChange={(e) => set("target", e.target.value as RuleDraft["target"])}>
            <option value="output">The output</option>
            <option value="spans">Each span of the trace</option>
          </select>
        )}
      </Field>
      {draft.target === "spans" ? (
        <div className="form-row">
          <Field label="Span kind" error={fieldError(error, "spanKind")} hint="Leave empty to check every kind.">
            {(control) => (
              <select {...control} value={draft.spanKind} onChange={(e) => set("spanKind", e.target.value as RuleDraft["spanKind"])}>
                <option value="">Any kind</option>
                {SPAN_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {SPAN_KIND_LABELS[kind]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Span name" error={fieldError(error, "spanName")} hint="Exact name; leave empty for any name.">
            {(control) => (
              <input {...control} value={draft.spanName} placeholder="search" onChange={(e) => set("spanName", e.target.value)} />
            )}
          </Field>
        </div>
      ) : null}
    </>
  );
}
