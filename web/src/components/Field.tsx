import { useId, type ReactNode } from "react";

/** What a control needs to be tied to its label and its error. */
export interface ControlProps {
  id: string;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}

/** A labelled form control with the server's reason for it, if any. */
export function Field(props: {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const control: ControlProps = props.error ? { id, "aria-invalid": true, "aria-describedby": errorId } : { id };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(control)}
      {props.hint && !props.error ? <small className="hint">{props.hint}</small> : null}
      {props.error ? (
        <small className="field-error" id={errorId}>
          {props.error}
        </small>
      ) : null}
    </div>
  );
}
