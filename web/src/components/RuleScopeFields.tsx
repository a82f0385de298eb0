import { useQuery } from "@tanstack/react-query";
import { fieldError } from "../errors";
import type { RuleDraft } from "../hooks/useRuleDraft";
import { trpc } from "../trpc";
import { Field } from "./Field";
import { useProjects } from "../hooks/useProjects";
import { ProjectOptions } from "./ProjectOptions";

interface Props {
  draft: RuleDraft;
  set: <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) => void;
  error: unknown;
}

/** Where a rule applies: every project, one project, or one task of a project. */
export function RuleScopeFields({ draft, set, error }: Props) {
  const projects = useProjects();
  const tasks = useQuery({
    queryKey: ["projects.tasks", { projectId: draft.projectId }],
    queryFn: () => trpc.projects.tasks.query({ projectId: draft.projectId }),
    enabled: Boolean(draft.projectId),
  });
  return (
    <div className="form-row">
      <Field label="Project" error={fieldError(error, "projectId", "projectName")} hint="Leave empty to apply to every project.">
        {(control) => (
          <select
            {...control}
            value={draft.projectId}
            onChange={(e) => {
              set("projectId", e.target.value);
              set("taskName", "");
            }}
          >
            <option value="">All projects</option>
            <ProjectOptions projects={projects.data} valueBy="id" />
          </select>
        )}
      </Field>
      <Field
        label="Task"
        error={fieldError(error, "taskName")}
        hint={draft.projectId ? "Leave empty for the whole project." : "Pick a project first."}
      >
        {(control) => (
          <select {...control} value={draft.taskName} disabled={!draft.projectId} onChange={(e) => set("taskName", e.target.value)}>
            <option value="">All tasks</option>
            {tasks.data?.map((task) => (
              <option key={task.id} value={task.name}>
                {task.name}
              </option>
            ))}
            {draft.taskName && !tasks.data?.some((task) => task.name === draft.taskName) ? (
              <option value={draft.taskName}>{draft.taskName}</option>
            ) : null}
          </select>
        )}
      </Field>
    </div>
  );
}
