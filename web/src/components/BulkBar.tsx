import { FormError } from "./FormError";
import { useBulkAction } from "../hooks/useLogActions";

/** Approve or reject every selected log at once. */
export function BulkBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const bulk = useBulkAction();
  if (ids.length === 0) return null;
  const run = (action: "approve" | "reject") => bulk.mutate({ ids, action }, { onSuccess: onDone });
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions">
      <span>{ids.length} selected</span>
      <button type="button" className="button approve small" disabled={bulk.isPending} onClick={() => run("approve")}>
        Approve selected
      </button>
      <button type="button" className="button reject small" disabled={bulk.isPending} onClick={() => run("reject")}>
        Reject selected
      </button>
      <button type="button" className="button secondary small" onClick={onDone}>
        Clear selection
      </button>
      <FormError error={bulk.error} />
    </div>
  );
}
