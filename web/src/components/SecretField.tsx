import { Field } from "./Field";

/**
 * A stored secret: the server only shows it masked. Typing replaces it; "Remove" clears it.
 * `value`: undefined = keep, a text = replace, null = remove.
 */
export function SecretField(props: {
  label: string;
  masked: string | null;
  value: string | null | undefined;
  onChange: (value: string | null | undefined) => void;
  error?: string | undefined;
  placeholder?: string;
}) {
  const { masked, value } = props;
  const hint =
    value === null ? (
      "Will be removed when you save."
    ) : masked ? (
      <>
        Current: <code>{masked}</code>
      </>
    ) : (
      "Not set."
    );
  return (
    <Field label={props.label} error={props.error} hint={hint}>
      {(control) => (
        <div className="secret-input">
          <input
            {...control}
            type="password"
            autoComplete="off"
            value={value ?? ""}
            placeholder={masked ? "Type a new value to replace it" : (props.placeholder ?? "")}
            onChange={(e) => props.onChange(e.target.value === "" ? undefined : e.target.value)}
          />
          {masked && value !== null ? (
            <button type="button" className="button secondary small" onClick={() => props.onChange(null)}>
              Remove
            </button>
          ) : null}
          {value === null ? (
            <button type="button" className="button secondary small" onClick={() => props.onChange(undefined)}>
              Keep
            </button>
          ) : null}
        </div>
      )}
    </Field>
  );
}
