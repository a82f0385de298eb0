import type { FormEvent } from "react";
import { RULE_TYPES, type RuleType } from "../enums";
import { fieldError } from "../errors";
import type { RuleDraft } from "../hooks/useRuleDraft";
import { RULE_TYPE_INFO } from "../rule-types";
import { Checkbox } from "./Checkbox";
import { Field } from "./Field";
import { FormError } from "./FormError";
import { JudgeFields } from "./JudgeFields";
import { RuleScopeFields } from "./RuleScopeFields";
import { RuleTargetFields } from "./RuleTargetFields";

interface Props {
  draft: RuleDraft;
  set: <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) => void;
  error: unknown;
  saving: boolean;
  submitLabel: string;
  onSubmit: () => void;
  onCancel: () => void;
}

export function RuleForm({ draft, set, error, saving, submitLabel, onSubmit, onCancel }: Props) {
  const info = RULE_TYPE_INFO[draft.type];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="form" onSubmit={submit} noValidate data-testid="rule-form">
      <div className="form-row">
        <Field label="Name" error={fieldError(error, "name")}>
          {(control) => (
            <input {...control} value={draft.name} placeholder="No refund promises" onChange={(e) => set("name", e.target.value)} />
          )}
        </Field>
        <Field label="Type" error={fieldError(error, "type")}>
          {(control) => (
            <select {...control} value={draft.type} onChange={(e) => set("type", e.target.value as RuleType)}>
              {RULE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {RULE_TYPE_INFO[type].label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Value" error={fieldError(error, "value")} hint={info.hint}>
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={draft.value}
            placeholder={info.placeholder}
            onChange={(e) => set("value", e.target.value)}
          />
        )}
      </Field>
      {draft.type === "llm_judge" ? <JudgeFields draft={draft} set={set} error={error} /> : null}
      <RuleTargetFields draft={draft} set={set} error={error} />
      <Field label="Description" error={fieldError(error, "description")}>
        {(control) => <textarea {...control} rows={2} value={draft.description} onChange={(e) => set("description", e.target.value)} />}
      </Field>
      <RuleScopeFields draft={draft} set={set} error={error} />
      <Checkbox label="Active" checked={draft.isActive} onChange={(checked) => set("isActive", checked)} />
      <FormError error={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={saving}>
          {submitLabel}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
