import { errorMessage } from "../errors";

/** The server's sentence about what went wrong, shown next to the form. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {errorMessage(error)}
    </p>
  );
}
