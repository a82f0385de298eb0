import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { BulkBar } from "../components/BulkBar";
import { FilterBuilder } from "../components/FilterBuilder";
import { FormError } from "../components/FormError";
import { LogFilterBar } from "../components/LogFilterBar";
import { LogTable } from "../components/LogTable";
import { Pagination } from "../components/Pagination";
import { toListInput, useLogFilters } from "../hooks/useLogFilters";
import { trpc } from "../trpc";

export function LogsPage() {
  const { filters, update } = useLogFilters();
  const input = toListInput(filters);
  const logs = useQuery({ queryKey: ["logs.list", input], queryFn: () => trpc.logs.list.query(input), placeholderData: keepPreviousData });
  const ids = logs.data?.executions.map((log) => log.id) ?? [];
  // Callers' own evaluations of the listed logs, one small read per page (the list itself stays as it is).
  const scores = useQuery({
    queryKey: ["evaluations.scores", ids],
    queryFn: () => trpc.evaluations.scores.query({ ids }),
    enabled: ids.length > 0,
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const toggleAll = (checked: boolean) => setSelected(checked ? new Set(logs.data?.executions.map((log) => log.id)) : new Set());

  return (
    <section className="page">
      <h1>Logs</h1>
      <LogFilterBar filters={filters} onChange={update} />
      <FilterBuilder filters={filters.typed} onChange={(typed) => update({ typed })} />
      <BulkBar ids={[...selected]} onDone={() => setSelected(new Set())} />
      {logs.isError ? <FormError error={logs.error} /> : null}
      {logs.isPending ? <p className="muted">Loading…</p> : null}
      {logs.data ? (
        logs.data.executions.length === 0 ? (
          <p className="empty">No logs match these filters.</p>
        ) : (
          <>
            <LogTable logs={logs.data.executions} scores={scores.data} selected={selected} onToggle={toggle} onToggleAll={toggleAll} />
            <Pagination
              page={logs.data.page}
              limit={logs.data.limit}
              total={logs.data.total}
              exact={logs.data.totalExact}
              hasNext={logs.data.nextCursor !== null}
              onPage={(page) => update({ page })}
            />
          </>
        )
      ) : null}
    </section>
  );
}
