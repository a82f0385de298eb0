import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime, formatNumber } from "../format";
import { useInvalidate } from "../hooks/useInvalidate";
import { Link } from "../router";
import { useIsAdmin } from "../session";
import { trpc, type Project } from "../trpc";
import { FormError } from "./FormError";
import { ProjectRenameForm } from "./ProjectRenameForm";
import { TaskList } from "./TaskList";
import { ConfirmButton } from "./ConfirmButton";

export function ProjectCard({ project }: { project: Project }) {
  const admin = useIsAdmin();
  const [renaming, setRenaming] = useState(false);
  const [showTasks, setShowTasks] = useState(false);
  const invalidate = useInvalidate();
  const remove = useMutation({
    mutationFn: () => trpc.projects.delete.mutate({ id: project.id }),
    onSuccess: () => invalidate("projects.", "logs.", "rules.", "analytics."),
  });

  return (
    <li className="card project-card" data-testid="project" data-project-id={project.id}>
      {renaming ? (
        <ProjectRenameForm project={project} onDone={() => setRenaming(false)} />
      ) : (
        <div className="project-head">
          <h2>
            {project.icon ? <span className="project-icon">{project.icon}</span> : null}
            {project.name}
          </h2>
          <span className="muted small">
            {formatNumber(project.executionCount)} logs · created {formatDateTime(project.createdAt)}
          </span>
          <div className="actions">
            <Link to={`/sessions?project=${encodeURIComponent(project.id)}`} className="button secondary small">
              Sessions
            </Link>
            <button type="button" className="button secondary small" onClick={() => setShowTasks(!showTasks)} aria-expanded={showTasks}>
              Tasks
            </button>
            <button type="button" className="button secondary small" onClick={() => setRenaming(true)}>
              Rename
            </button>
            {admin ? (
              <ConfirmButton
                question={`Delete the project “${project.name}” with its ${project.executionCount} logs, tasks and rules? This cannot be undone.`}
                disabled={remove.isPending}
                onConfirm={() => remove.mutate()}
              >
                Delete
              </ConfirmButton>
            ) : null}
          </div>
        </div>
      )}
      <FormError error={remove.error} />
      {showTasks ? <TaskList projectId={project.id} /> : null}
    </li>
  );
}
