import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiCode, fieldError } from "../errors";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc, type Project } from "../trpc";
import { Field } from "./Field";
import { FormError } from "./FormError";

/** Rename (and re-icon) a project; renaming onto an existing name offers to merge the two. */
export function ProjectRenameForm({ project, onDone }: { project: Project; onDone: () => void }) {
  const [name, setName] = useState(project.name);
  const [icon, setIcon] = useState(project.icon ?? "");
  const invalidate = useInvalidate();
  const update = useMutation({
    mutationFn: (merge: boolean) =>
      trpc.projects.update.mutate({ id: project.id, name, icon: icon.trim() || null, ...(merge ? { merge: true } : {}) }),
    onSuccess: async () => {
      await invalidate("projects.", "logs.", "rules.");
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(false);
  };
  const conflict = apiCode(update.error) === "conflict";
  return (
    <form className="form inline-form" onSubmit={submit} noValidate>
      <Field label="Name" error={fieldError(update.error, "name")}>
        {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Icon" error={fieldError(update.error, "icon")}>
        {(control) => <input {...control} className="icon-input" value={icon} onChange={(e) => setIcon(e.target.value)} />}
      </Field>
      <button type="submit" className="button primary small" disabled={update.isPending}>
        Save
      </button>
      <button type="button" className="button secondary small" onClick={onDone}>
        Cancel
      </button>
      {conflict ? (
        <button type="button" className="button danger small" disabled={update.isPending} onClick={() => update.mutate(true)}>
          Merge into “{name}”
        </button>
      ) : null}
      <FormError error={update.error} />
    </form>
  );
}
