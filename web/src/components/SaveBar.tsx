import { FormError } from "./FormError";

/** The save button of a settings form, with the outcome. */
export function SaveBar(props: { saving: boolean; saved: boolean; error: unknown; label?: string }) {
  return (
    <div className="form-actions">
      <button type="submit" className="button primary" disabled={props.saving}>
        {props.label ?? "Save"}
      </button>
      {props.saved && !props.error ? (
        <span className="saved" role="status">
          Saved
        </span>
      ) : null}
      <FormError error={props.error} />
    </div>
  );
}
