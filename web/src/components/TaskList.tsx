import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fieldError } from "../errors";
import { formatNumber } from "../format";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc } from "../trpc";
import { Field } from "./Field";
import { FormError } from "./FormError";
import { Loadable } from "./Loadable";
import { ConfirmButton } from "./ConfirmButton";

function TaskCreateForm({ projectId }: { projectId: string }) {
  const [name, setName] = useState("");
  const invalidate = useInvalidate();
  const create = useMutation({
    mutationFn: () => trpc.projects.createTask.mutate({ projectId, name }),
    onSuccess: async () => {
      setName("");
      await invalidate("projects.", "logs.taskNames");
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="form inline-form" onSubmit={submit} noValidate>
      <Field label="New task" error={fieldError(create.error, "name")}>
        {(control) => <input {...control} value={name} placeholder="Tone Validator" onChange={(e) => setName(e.target.value)} />}
      </Field>
      <button type="submit" className="button secondary small" disabled={create.isPending}>
        Add task
      </button>
      <FormError error={create.error} />
    </form>
  );
}

export function TaskList({ projectId }: { projectId: string }) {
  const tasks = useQuery({ queryKey: ["projects.tasks", { projectId }], queryFn: () => trpc.projects.tasks.query({ projectId }) });
  const invalidate = useInvalidate();
  const remove = useMutation({
    mutationFn: (taskName: string) => trpc.projects.deleteTask.mutate({ projectId, taskName }),
    onSuccess: () => invalidate("projects.", "logs.taskNames"),
  });
  return (
    <div className="task-list" data-testid="task-list">
      <Loadable query={tasks}>
        {(data) =>
          data.length === 0 ? (
            <p className="muted">No tasks yet.</p>
          ) : (
            <ul>
              {data.map((task) => (
                <li key={task.id} className="task-item">
                  <span>{task.name}</span>
                  <span className="muted small">{formatNumber(task.executionCount)} logs</span>
                  <ConfirmButton
                    question={`Delete the task “${task.name}”?`}
                    disabled={remove.isPending}
                    onConfirm={() => remove.mutate(task.name)}
                  >
                    Delete task
                  </ConfirmButton>
                </li>
              ))}
            </ul>
          )
        }
      </Loadable>
      <FormError error={remove.error} />
      <TaskCreateForm projectId={projectId} />
    </div>
  );
}
