import { MODEL_PRESETS } from "../enums";
import { fieldError } from "../errors";
import type { RuleDraft } from "../hooks/useRuleDraft";
import { Field } from "./Field";
import { ProviderSelect } from "./ProviderSelect";

interface Props {
  draft: RuleDraft;
  set: <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) => void;
  error: unknown;
}

/** Which judge runs an `llm_judge` rule (empty: the workspace's default provider and model). */
export function JudgeFields({ draft, set, error }: Props) {
  return (
    <div className="form-row">
      <Field
        label="Judge provider"
        error={fieldError(error, "llmJudgeProvider")}
        hint="Empty uses the workspace default (Settings → Judges)."
      >
        {(control) => (
          <ProviderSelect
            control={control}
            value={draft.llmJudgeProvider}
            onChange={(value) => set("llmJudgeProvider", value)}
            emptyLabel="Workspace default"
          />
        )}
      </Field>
      <Field label="Judge model" error={fieldError(error, "llmJudgeModel")}>
        {(control) => (
          <>
            <input
              {...control}
              list="judge-models"
              value={draft.llmJudgeModel}
              placeholder="Provider default"
              onChange={(e) => set("llmJudgeModel", e.target.value)}
            />
            <datalist id="judge-models">
              {MODEL_PRESETS.map((preset) => (
                <option key={preset.value} value={preset.value}>
                  {preset.label}
                </option>
              ))}
            </datalist>
          </>
        )}
      </Field>
    </div>
  );
}
