import type { ReactNode } from "react";

/** A destructive action behind the browser's confirm dialog: deleting, removing, rotating. */
export function ConfirmButton(props: { question: string; onConfirm: () => void; disabled?: boolean; children: ReactNode }) {
  return (
    <button
      type="button"
      className="button danger small"
      disabled={props.disabled}
      onClick={() => window.confirm(props.question) && props.onConfirm()}
    >
      {props.children}
    </button>
  );
}
