import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { LOG_STATUSES, type LogStatus } from "../enums";
import { useDebounced } from "../hooks/useDebounced";
import type { LogFilters } from "../hooks/useLogFilters";
import { trpc } from "../trpc";
import { Checkbox } from "./Checkbox";
import { Field } from "./Field";
import { useProjects } from "../hooks/useProjects";
import { ProjectOptions } from "./ProjectOptions";

interface Props {
  filters: LogFilters;
  onChange: (change: Partial<LogFilters>) => void;
}

function SearchBox({ filters, onChange }: Props) {
  const [text, setText] = useState(filters.q);
  useDebounced(text, (q) => {
    if (q !== filters.q) onChange({ q });
  });
  return (
    <Field label="Search">
      {(control) => (
        <input
          {...control}
          type="search"
          placeholder="Project, task, model, session…"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      )}
    </Field>
  );
}

function ProjectAndTask({ filters, onChange }: Props) {
  const projects = useProjects();
  const taskNames = useQuery({
    queryKey: ["logs.taskNames", { project: filters.project }],
    queryFn: () => trpc.logs.taskNames.query({ project: filters.project }),
    enabled: Boolean(filters.project),
  });
  return (
    <>
      <Field label="Project">
        {(control) => (
          <select {...control} value={filters.project} onChange={(e) => onChange({ project: e.target.value, task: "" })}>
            <option value="">All projects</option>
            <ProjectOptions projects={projects.data} valueBy="name" />
          </select>
        )}
      </Field>
      {filters.project ? (
        <Field label="Task">
          {(control) => (
            <select {...control} value={filters.task} onChange={(e) => onChange({ task: e.target.value })}>
              <option value="">All tasks</option>
              {taskNames.data?.map((task) => (
                <option key={task} value={task}>
                  {task}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
    </>
  );
}

export function LogFilterBar({ filters, onChange }: Props) {
  return (
    <div className="filter-bar" role="search">
      <SearchBox filters={filters} onChange={onChange} />
      <Field label="Status">
        {(control) => (
          <select {...control} value={filters.status} onChange={(e) => onChange({ status: e.target.value as LogStatus | "" })}>
            <option value="">All statuses</option>
            {LOG_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ProjectAndTask filters={filters} onChange={onChange} />
      <Field label="From">
        {(control) => <input {...control} type="date" value={filters.from} onChange={(e) => onChange({ from: e.target.value })} />}
      </Field>
      <Field label="To">
        {(control) => <input {...control} type="date" value={filters.to} onChange={(e) => onChange({ to: e.target.value })} />}
      </Field>
      <div className="filter-check">
        <Checkbox label="Pending review only" checked={filters.pending} onChange={(pending) => onChange({ pending })} />
      </div>
    </div>
  );
}
