import { useDecide, type Decision } from "../hooks/useLogActions";
import { FormError } from "./FormError";

/** The two buttons; what a decision does is up to the caller. */
export function ApproveRejectButtons(props: { onDecide: (decision: Decision) => void; disabled?: boolean }) {
  return (
    <div className="decision-buttons">
      <button type="button" className="button approve" disabled={props.disabled} onClick={() => props.onDecide("approved")}>
        Approve
      </button>
      <button type="button" className="button reject" disabled={props.disabled} onClick={() => props.onDecide("rejected")}>
        Reject
      </button>
    </div>
  );
}

/** Approve and Reject for one log, with the server's error if it refuses. */
export function DecisionButtons({ id }: { id: string }) {
  const decide = useDecide();
  return (
    <>
      <ApproveRejectButtons disabled={decide.isPending} onDecide={(decision) => decide.mutate({ id, decision })} />
      <FormError error={decide.error} />
    </>
  );
}
