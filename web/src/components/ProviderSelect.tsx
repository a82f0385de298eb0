import { JUDGE_PROVIDERS, type JudgeProvider } from "../enums";
import type { ControlProps } from "./Field";

/** A judge provider, or none (`""`, whose meaning the caller names: "Workspace default", "None"). */
export function ProviderSelect(props: {
  control: ControlProps;
  value: JudgeProvider | "";
  onChange: (value: JudgeProvider | "") => void;
  emptyLabel: string;
}) {
  return (
    <select {...props.control} value={props.value} onChange={(e) => props.onChange(e.target.value as JudgeProvider | "")}>
      <option value="">{props.emptyLabel}</option>
      {JUDGE_PROVIDERS.map((provider) => (
        <option key={provider} value={provider}>
          {provider}
        </option>
      ))}
    </select>
  );
}
