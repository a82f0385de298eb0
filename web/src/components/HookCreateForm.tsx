import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { HookEvent } from "../enums";
import { fieldError } from "../errors";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc } from "../trpc";
import { CopyButton } from "./CopyButton";
import { EventChecklist } from "./EventChecklist";
import { Field } from "./Field";
import { FormError } from "./FormError";

/** Subscribe a URL to events; the signing secret is shown once, right after. */
export function HookCreateForm() {
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<HookEvent[]>(["log.flagged", "log.error"]);
  const invalidate = useInvalidate();
  const create = useMutation({
    mutationFn: () => trpc.hooks.create.mutate({ url, events, source: "dashboard" }),
    onSuccess: async () => {
      setUrl("");
      await invalidate("hooks.");
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <details className="subform">
      <summary>Add a hook</summary>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Hook URL" error={fieldError(create.error, "url")}>
          {(control) => (
            <input {...control} type="url" value={url} placeholder="https://example.com/tracira" onChange={(e) => setUrl(e.target.value)} />
          )}
        </Field>
        <EventChecklist legend="Events" value={events} onChange={setEvents} error={fieldError(create.error, "events")} />
        <FormError error={create.error} />
        <button type="submit" className="button secondary" disabled={create.isPending}>
          Add hook
        </button>
      </form>
      {create.data ? (
        <p className="notice">
          Signing secret (shown only now): <code>{create.data.signingSecret}</code> <CopyButton text={create.data.signingSecret} />
        </p>
      ) : null}
    </details>
  );
}
