import type { TraceSpan } from "../trpc";

/** Each kind's short name: the badge is the step's icon in the tree, so it stays narrow. */
const KIND_LABEL: Record<TraceSpan["kind"], string> = {
  agent: "agent",
  runner_step: "step",
  llm: "llm",
  tool: "tool",
  mcp: "mcp",
  webhook: "hook",
  condition: "if",
  embedding: "embed",
  guardrail: "guard",
  chain: "chain",
};

export function SpanKindBadge({ kind }: { kind: TraceSpan["kind"] }) {
  return (
    <span className={`trace-kind trace-kind-${kind}`} title={kind}>
      {KIND_LABEL[kind]}
    </span>
  );
}
