import { useMutation, useQuery } from "@tanstack/react-query";
import { formatDateTime } from "../format";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc } from "../trpc";
import { FormError } from "./FormError";
import { HookCreateForm } from "./HookCreateForm";
import { Loadable } from "./Loadable";
import { ConfirmButton } from "./ConfirmButton";

/** Hook subscriptions: what n8n, Zapier and Make triggers registered (and any added here). */
export function HooksSection() {
  const hooks = useQuery({ queryKey: ["hooks.list"], queryFn: () => trpc.hooks.list.query() });
  const invalidate = useInvalidate();
  const remove = useMutation({ mutationFn: (id: string) => trpc.hooks.delete.mutate({ id }), onSuccess: () => invalidate("hooks.") });
  return (
    <section className="card">
      <h2>Hooks</h2>
      <Loadable query={hooks}>
        {(data) =>
          data.hooks.length === 0 ? (
            <p className="muted">No hook subscriptions. Integration triggers (n8n, Zapier, Make) register theirs here.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="hooks">
                <thead>
                  <tr>
                    <th>URL</th>
                    <th>Events</th>
                    <th>Project / task</th>
                    <th>Source</th>
                    <th>Created</th>
                    <th aria-label="Actions" />
                  </tr>
                </thead>
                <tbody>
                  {data.hooks.map((hook) => (
                    <tr key={hook.id}>
                      <td className="break">{hook.url}</td>
                      <td>{hook.events.join(", ")}</td>
                      <td>{[hook.project, hook.task].filter(Boolean).join(" / ") || <span className="muted">all</span>}</td>
                      <td>{hook.source ?? "—"}</td>
                      <td className="nowrap">{formatDateTime(hook.createdAt)}</td>
                      <td>
                        <ConfirmButton
                          question="Delete this hook subscription?"
                          disabled={remove.isPending}
                          onConfirm={() => remove.mutate(hook.id)}
                        >
                          Delete
                        </ConfirmButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loadable>
      <FormError error={remove.error} />
      <HookCreateForm />
    </section>
  );
}
