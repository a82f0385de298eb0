import { useState, type FormEvent } from "react";
import { Field } from "../../components/Field";
import { ProviderSelect } from "../../components/ProviderSelect";
import { SaveBar } from "../../components/SaveBar";
import { SecretField } from "../../components/SecretField";
import { MODEL_PRESETS, type JudgeProvider } from "../../enums";
import { fieldError } from "../../errors";
import { useSettingsUpdate } from "../../hooks/useSettingsUpdate";
import type { Settings, UpdateSettingsInput } from "../../trpc";

const PROVIDERS: {
  provider: JudgeProvider;
  label: string;
  key: "openaiApiKey" | "anthropicApiKey" | "openrouterApiKey";
  model: "openaiJudgeModel" | "anthropicJudgeModel" | "openrouterJudgeModel";
}[] = [
  { provider: "openai", label: "OpenAI", key: "openaiApiKey", model: "openaiJudgeModel" },
  { provider: "anthropic", label: "Anthropic", key: "anthropicApiKey", model: "anthropicJudgeModel" },
  { provider: "openrouter", label: "OpenRouter", key: "openrouterApiKey", model: "openrouterJudgeModel" },
];

type Keys = Partial<Record<(typeof PROVIDERS)[number]["key"], string | null>>;

const modelsOf = (s: Settings) => ({
  openaiJudgeModel: s.openaiJudgeModel ?? "",
  anthropicJudgeModel: s.anthropicJudgeModel ?? "",
  openrouterJudgeModel: s.openrouterJudgeModel ?? "",
});

export function JudgesTab({ settings }: { settings: Settings }) {
  const [keys, setKeys] = useState<Keys>({});
  const [models, setModels] = useState(() => modelsOf(settings));
  const [defaultProvider, setDefaultProvider] = useState<JudgeProvider | "">(settings.defaultJudgeProvider ?? "");
  const save = useSettingsUpdate();
  const error = save.error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: UpdateSettingsInput = { ...models, ...keys, defaultJudgeProvider: defaultProvider };
    save.mutate(body, { onSuccess: () => setKeys({}) });
  };

  return (
    <form className="form settings-form" onSubmit={submit} noValidate>
      <datalist id="judge-model-presets">
        {MODEL_PRESETS.map((preset) => (
          <option key={preset.value} value={preset.value}>
            {preset.label}
          </option>
        ))}
      </datalist>
      {PROVIDERS.map(({ provider, label, key, model }) => (
        <section className="card" key={provider}>
          <h2>{label}</h2>
          <SecretField
            label={`${label} API key`}
            masked={settings[key]}
            value={keys[key]}
            onChange={(value) => setKeys((current) => ({ ...current, [key]: value }))}
            error={fieldError(error, key)}
          />
          <Field label={`${label} judge model`} error={fieldError(error, model)}>
            {(control) => (
              <input
                {...control}
                list="judge-model-presets"
                value={models[model]}
                placeholder="Provider default"
                onChange={(e) => setModels((current) => ({ ...current, [model]: e.target.value }))}
              />
            )}
          </Field>
        </section>
      ))}
      <section className="card">
        <h2>Default provider</h2>
        <Field
          label="Default judge provider"
          error={fieldError(error, "defaultJudgeProvider")}
          hint="Used by LLM-judge rules that do not name a provider."
        >
          {(control) => <ProviderSelect control={control} value={defaultProvider} onChange={setDefaultProvider} emptyLabel="None" />}
        </Field>
      </section>
      <SaveBar saving={save.isPending} saved={save.isSuccess} error={error} label="Save judges" />
    </form>
  );
}
