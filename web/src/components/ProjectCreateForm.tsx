import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fieldError } from "../errors";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc } from "../trpc";
import { Field } from "./Field";
import { FormError } from "./FormError";

export function ProjectCreateForm() {
  const [name, setName] = useState("");
  const [icon, setIcon] = useState("");
  const invalidate = useInvalidate();
  const create = useMutation({
    mutationFn: () => trpc.projects.create.mutate({ name, ...(icon.trim() ? { icon: icon.trim() } : {}) }),
    onSuccess: async () => {
      setName("");
      setIcon("");
      await invalidate("projects.");
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="form inline-form card" onSubmit={submit} noValidate>
      <Field label="Project name" error={fieldError(create.error, "name")}>
        {(control) => <input {...control} value={name} placeholder="support-replies" onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Icon" error={fieldError(create.error, "icon")}>
        {(control) => <input {...control} className="icon-input" value={icon} placeholder="💬" onChange={(e) => setIcon(e.target.value)} />}
      </Field>
      <button type="submit" className="button primary" disabled={create.isPending}>
        Create project
      </button>
      <FormError error={create.error} />
    </form>
  );
}
