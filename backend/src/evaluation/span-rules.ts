import type { EvaluationSubject, RuleResult, SpanFilter, SpanJudgement, SpanRecord } from "./types";

/** A payload as the text rules check: a string as it is, anything else as its JSON text, nothing as "". */
const asText = (value: unknown): string =>
  value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);

/**
 * What a span rule checks on one span: its output, and its input as the judge's prompt. A guardrail span
 * inspects an input (its output is only the guardrail's decision), so its input is the checked text.
 */
export function spanSubject(span: SpanRecord): EvaluationSubject {
  if (span.kind === "guardrail") return { output: asText(span.input), confidence: null, input: null, what: "the span's input" };
  const input = span.input === null || span.input === undefined ? null : asText(span.input);
  return { output: asText(span.output), confidence: null, input, what: "the span's output" };
}

export function matchesSpan(filter: SpanFilter, span: SpanRecord): boolean {
  return (filter.kind === null || span.kind === filter.kind) && (filter.name === null || span.name === filter.name);
}

/** `tool spans named "search"`, `span`, … */
function spansNamed(filter: SpanFilter, count: number): string {
  return `${filter.kind ? `${filter.kind} ` : ""}span${count === 1 ? "" : "s"}${filter.name === null ? "" : ` named "${filter.name}"`}`;
}

/**
 * A span rule's outcome for the trace, from its result on each matching span (in tree order): triggered
 * if any span triggered, else error if any errored, else passed — also when no span matched. The
 * explanation names the spans that decided it; a judge's confidence is the lowest of the spans'.
 */
export function foldSpanResults(filter: SpanFilter, judged: readonly { span: SpanRecord; result: RuleResult }[]): RuleResult {
  const spans: SpanJudgement[] = judged.map(({ span, result }) => ({
    spanId: span.id,
    outcome: result.outcome,
    explanation: `Span "${span.name}" (${span.id}, ${span.kind}): ${result.explanation}`,
    ...(result.confidence === undefined ? {} : { confidence: result.confidence }),
    ...(result.judgedBy ? { judgedBy: result.judgedBy } : {}),
  }));
  if (!spans.length) return { outcome: "passed", explanation: `No span matched: this trace has no ${spansNamed(filter, 2)}.`, spans };
  const confidences = spans.flatMap((s) => (s.confidence === undefined ? [] : [s.confidence]));
  const judgedBy = spans.find((s) => s.judgedBy)?.judgedBy;
  const common = {
    spans,
    ...(confidences.length ? { confidence: Math.min(...confidences) } : {}),
    ...(judgedBy ? { judgedBy } : {}),
  };
  for (const outcome of ["triggered", "error"] as const) {
    const deciding = spans.filter((s) => s.outcome === outcome);
    if (deciding.length) return { outcome, explanation: deciding.map((s) => s.explanation).join(" "), ...common };
  }
  const explanation =
    spans.length === 1
      ? `The one matching ${spansNamed(filter, 1)} passed.`
      : `All ${spans.length} ${spansNamed(filter, spans.length)} passed.`;
  return { outcome: "passed", explanation, ...common };
}
