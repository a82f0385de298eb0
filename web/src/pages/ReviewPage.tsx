import { FormError } from "../components/FormError";
import { QueueList } from "../components/QueueList";
import { QueuePanel } from "../components/QueuePanel";
import { ShortcutLegend } from "../components/ShortcutLegend";
import { useReviewQueue } from "../hooks/useReviewQueue";
import { useShortcuts } from "../hooks/useShortcuts";
import { navigate } from "../router";

export function ReviewPage() {
  const queue = useReviewQueue();
  const open = () => {
    if (queue.selected) navigate(`/logs/${encodeURIComponent(queue.selected.id)}`);
  };
  useShortcuts({
    a: () => queue.decide("approved"),
    r: () => queue.decide("rejected"),
    j: queue.next,
    ArrowDown: queue.next,
    k: queue.previous,
    ArrowUp: queue.previous,
    Enter: open,
    o: open,
  });

  return (
    <section className="page">
      <div className="page-head">
        <h1>Review queue</h1>
        <ShortcutLegend />
      </div>
      <p className="muted">Flagged and errored logs waiting for a human decision, oldest first.</p>
      <FormError error={queue.query.error ?? queue.decideError} />
      {queue.query.isPending ? <p className="muted">Loading…</p> : null}
      {queue.query.isSuccess && queue.items.length === 0 ? (
        <p className="empty" data-testid="queue-empty">
          Nothing to review. Every flagged or errored log has a decision.
        </p>
      ) : null}
      {queue.selected ? (
        <div className="queue-layout">
          <div>
            <QueueList items={queue.items} selectedId={queue.selected.id} onSelect={queue.select} />
            {queue.hasMore ? <p className="muted small">More logs are waiting: they appear as you work through these.</p> : null}
          </div>
          <QueuePanel log={queue.selected} onDecide={queue.decide} />
        </div>
      ) : null}
    </section>
  );
}
