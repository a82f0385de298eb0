import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fieldError } from "../errors";
import { StatusBadge } from "../format";
import { toTestRule, type RuleDraft } from "../hooks/useRuleDraft";
import { trpc, type RouterInputs } from "../trpc";
import { AppliedRulesTable } from "./AppliedRulesTable";
import { Field } from "./Field";
import { FormError } from "./FormError";

const SPANS_EXAMPLE = '[{ "id": "tool-1", "kind": "tool", "name": "search", "input": {"q": "order"}, "output": "…" }]';

/** The sample spans as typed: a JSON array, else the reason it is not one. */
function parseSpans(text: string): { spans: unknown[] } | { error: string } {
  try {
    const spans: unknown = JSON.parse(text);
    return Array.isArray(spans) ? { spans } : { error: "Spans must be a JSON array of spans." };
  } catch {
    return { error: "Spans are not valid JSON." };
  }
}

/** "Test this rule": the rule as typed, against a sample output (or sample spans), without saving anything. */
export function RuleTester({ draft }: { draft: RuleDraft }) {
  const [output, setOutput] = useState("");
  const [confidence, setConfidence] = useState("");
  const [spansText, setSpansText] = useState("");
  const [spansError, setSpansError] = useState<string>();
  const onSpans = draft.target === "spans";
  const test = useMutation({
    mutationFn: (spans: unknown[] | undefined) =>
      trpc.rules.test.mutate({
        output,
        rule: toTestRule(draft),
        ...(confidence.trim() ? { confidence: confidence.trim() } : {}),
        // The server checks each span (and says which one is wrong).
        ...(spans ? { spans: spans as NonNullable<RouterInputs["rules"]["test"]["spans"]> } : {}),
      }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!onSpans) return test.mutate(undefined);
    const parsed = parseSpans(spansText);
    setSpansError("error" in parsed ? parsed.error : undefined);
    if ("spans" in parsed) test.mutate(parsed.spans);
  };
  const result = test.data;

  return (
    <section className="card rule-tester" data-testid="rule-tester">
      <h2>Test this rule</h2>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Sample output" error={fieldError(test.error, "output")}>
          {(control) => (
            <textarea
              {...control}
              rows={5}
              value={output}
              placeholder="Paste an AI output to check"
              onChange={(e) => setOutput(e.target.value)}
            />
          )}
        </Field>
        {onSpans ? (
          <Field
            label="Sample spans"
            error={spansError ?? fieldError(test.error, "spans")}
            hint="A JSON array of the trace's spans in tree order: id, kind, name, input, output."
          >
            {(control) => (
              <textarea
                {...control}
                rows={6}
                value={spansText}
                placeholder={SPANS_EXAMPLE}
                onChange={(e) => setSpansText(e.target.value)}
              />
            )}
          </Field>
        ) : (
          <Field label="Confidence" error={fieldError(test.error, "confidence")} hint="Optional, 0 to 1 (for confidence thresholds).">
            {(control) => <input {...control} inputMode="decimal" value={confidence} onChange={(e) => setConfidence(e.target.value)} />}
          </Field>
        )}
        <FormError error={test.error} />
        <button type="submit" className="button primary" disabled={test.isPending}>
          {test.isPending ? "Testing…" : "Test this rule"}
        </button>
      </form>
      {result ? (
        <div className="test-result" data-testid="rule-test-result">
          <p>
            <strong className={result.verdict === "pass" ? "pass-text" : "fail-text"}>
              {result.verdict === "pass" ? "Passes" : "Fails"}
            </strong>{" "}
            <StatusBadge status={result.status} />
          </p>
          <p>{result.explanation}</p>
          <AppliedRulesTable compact rules={result.appliedRules} />
        </div>
      ) : null}
    </section>
  );
}
