import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fieldError } from "../errors";
import { StatusBadge } from "../format";
import { toTestRule, type RuleDraft } from "../hooks/useRuleDraft";
import { trpc } from "../trpc";
import { AppliedRulesTable } from "./AppliedRulesTable";
import { Field } from "./Field";
import { FormError } from "./FormError";

/** "Test this rule": the rule as typed, against a sample output, without saving anything. */
export function RuleTester({ draft }: { draft: RuleDraft }) {
  const [output, setOutput] = useState("");
  const [confidence, setConfidence] = useState("");
  const test = useMutation({
    mutationFn: () =>
      trpc.rules.test.mutate({
        output,
        rule: toTestRule(draft),
        ...(confidence.trim() ? { confidence: confidence.trim() } : {}),
      }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    test.mutate();
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
        <Field label="Confidence" error={fieldError(test.error, "confidence")} hint="Optional, 0 to 1 (for confidence thresholds).">
          {(control) => <input {...control} inputMode="decimal" value={confidence} onChange={(e) => setConfidence(e.target.value)} />}
        </Field>
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
