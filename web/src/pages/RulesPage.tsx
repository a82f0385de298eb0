import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { FormError } from "../components/FormError";
import { Loadable } from "../components/Loadable";
import { RuleEditor } from "../components/RuleEditor";
import { RuleTable } from "../components/RuleTable";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc, type Rule } from "../trpc";

export function RulesPage() {
  const rules = useQuery({ queryKey: ["rules.list"], queryFn: () => trpc.rules.list.query() });
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const invalidate = useInvalidate();
  const remove = useMutation({
    mutationFn: (id: string) => trpc.rules.delete.mutate({ id }),
    onSuccess: () => invalidate("rules."),
  });
  const confirmDelete = (rule: Rule) => {
    if (window.confirm(`Delete the rule “${rule.name}”? Logs already evaluated keep their results.`)) remove.mutate(rule.id);
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>Rules</h1>
        {editing === null ? (
          <button type="button" className="button primary" onClick={() => setEditing("new")}>
            New rule
          </button>
        ) : null}
      </div>
      {editing !== null ? (
        <RuleEditor
          key={editing === "new" ? "new" : editing.id}
          rule={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
        />
      ) : null}
      <FormError error={remove.error} />
      <Loadable query={rules}>
        {(data) => <RuleTable rules={data} onEdit={setEditing} onDelete={confirmDelete} deleting={remove.isPending} />}
      </Loadable>
    </section>
  );
}
