import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { trpc, type ListLogsInput } from "../trpc";
import { useDecide, type Decision } from "./useLogActions";

/** Flagged and errored logs without a decision, oldest first: the queue is worked in arrival order. */
const QUEUE_INPUT: ListLogsInput = { pending: "true", sortBy: "timestamp", sortDir: "asc", limit: "100" };

/**
 * The review queue: its items, which one is selected, and moving/deciding. A decided item leaves the
 * queue at once (the next one is selected) and comes back only if the server refuses the decision.
 */
export function useReviewQueue() {
  const query = useQuery({ queryKey: ["logs.list", QUEUE_INPUT], queryFn: () => trpc.logs.list.query(QUEUE_INPUT) });
  const decide = useDecide();
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const [selectedId, setSelectedId] = useState<string | null>(null);

  const items = (query.data?.executions ?? []).filter((log) => !decided.has(log.id));
  const found = items.findIndex((log) => log.id === selectedId);
  const index = found >= 0 ? found : items.length > 0 ? 0 : -1;
  const selected = index >= 0 ? items[index] : undefined;

  const move = (step: number) => {
    const next = items[Math.min(Math.max(index + step, 0), items.length - 1)];
    if (next) setSelectedId(next.id);
  };

  const decideSelected = (decision: Decision) => {
    if (!selected) return;
    const id = selected.id;
    setSelectedId((items[index + 1] ?? items[index - 1])?.id ?? null);
    setDecided((current) => new Set(current).add(id));
    decide.mutate(
      { id, decision },
      {
        onError: () =>
          setDecided((current) => {
            const next = new Set(current);
            next.delete(id);
            return next;
          }),
      },
    );
  };

  return {
    query,
    items,
    selected,
    /** More are waiting than one page shows. */
    hasMore: query.data ? query.data.total > query.data.executions.length : false,
    select: setSelectedId,
    next: () => move(1),
    previous: () => move(-1),
    decide: decideSelected,
    decideError: decide.error,
  };
}
