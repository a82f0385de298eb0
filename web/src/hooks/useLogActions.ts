import { useMutation } from "@tanstack/react-query";
import { trpc } from "../trpc";
import { useInvalidate } from "./useInvalidate";

export type Decision = "approved" | "rejected";

/** What a decision changes: the logs, the overview's counters and the deliveries it sends. */
const AFFECTED = ["logs.", "analytics.", "deliveries."];

export function useDecide() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (vars: { id: string; decision: Decision }) => trpc.logs.decide.mutate(vars),
    onSuccess: () => invalidate(...AFFECTED),
  });
}

export function useBulkAction() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (vars: { ids: string[]; action: "approve" | "reject" | "delete" }) => trpc.logs.bulk.mutate(vars),
    onSuccess: () => invalidate(...AFFECTED),
  });
}

export function useDeleteLog() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => trpc.logs.delete.mutate({ id }),
    onSuccess: () => invalidate(...AFFECTED),
  });
}
