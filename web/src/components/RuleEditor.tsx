import { useMutation } from "@tanstack/react-query";
import { toCreateInput, toUpdateInput, useRuleDraft } from "../hooks/useRuleDraft";
import { useInvalidate } from "../hooks/useInvalidate";
import { trpc, type Rule } from "../trpc";
import { RuleForm } from "./RuleForm";
import { RuleTester } from "./RuleTester";

/** Create a rule (rule = null) or edit one, with the tester beside the form. */
export function RuleEditor({ rule, onClose }: { rule: Rule | null; onClose: () => void }) {
  const { draft, set: setField } = useRuleDraft(rule);
  const invalidate = useInvalidate();
  const save = useMutation({
    mutationFn: async () => {
      if (rule) await trpc.rules.update.mutate(toUpdateInput(rule.id, draft));
      else await trpc.rules.create.mutate(toCreateInput(draft));
    },
    onSuccess: async () => {
      await invalidate("rules.");
      onClose();
    },
  });
  /** An edit makes the last save's errors out of date. */
  const set: typeof setField = (key, value) => {
    if (save.error) save.reset();
    setField(key, value);
  };
  return (
    <div className="editor-grid">
      <section className="card">
        <h2>{rule ? `Edit “${rule.name}”` : "New rule"}</h2>
        <RuleForm
          draft={draft}
          set={set}
          error={save.error}
          saving={save.isPending}
          submitLabel={rule ? "Save rule" : "Create rule"}
          onSubmit={() => save.mutate()}
          onCancel={onClose}
        />
      </section>
      <RuleTester draft={draft} />
    </div>
  );
}
