import { useState } from "react";
import type { JudgeProvider, RuleTarget, RuleType } from "../enums";
import type { RouterInputs, Rule } from "../trpc";

export type SpanKind = NonNullable<Rule["spanKind"]>;

/** A rule as the editor holds it: every field as the form shows it ("" = not set). */
export interface RuleDraft {
  name: string;
  type: RuleType;
  value: string;
  description: string;
  projectId: string;
  taskName: string;
  isActive: boolean;
  llmJudgeProvider: JudgeProvider | "";
  llmJudgeModel: string;
  target: RuleTarget;
  spanKind: SpanKind | "";
  spanName: string;
}

const EMPTY: RuleDraft = {
  name: "",
  type: "keyword_forbidden",
  value: "",
  description: "",
  projectId: "",
  taskName: "",
  isActive: true,
  llmJudgeProvider: "",
  llmJudgeModel: "",
  target: "output",
  spanKind: "",
  spanName: "",
};

export const draftOf = (rule: Rule | null): RuleDraft =>
  rule
    ? {
        name: rule.name,
        type: rule.type,
        value: rule.value,
        description: rule.description ?? "",
        projectId: rule.projectId ?? "",
        taskName: rule.taskName ?? "",
        isActive: rule.isActive,
        llmJudgeProvider: rule.llmJudgeProvider ?? "",
        llmJudgeModel: rule.llmJudgeModel ?? "",
        target: rule.target,
        spanKind: rule.spanKind ?? "",
        spanName: rule.spanName ?? "",
      }
    : EMPTY;

const isJudge = (draft: RuleDraft) => draft.type === "llm_judge";
const onSpans = (draft: RuleDraft) => draft.target === "spans";

/** What the rule checks; the span fields only for a span rule (the server refuses them on an output rule). */
const targetOf = (draft: RuleDraft) => ({
  target: draft.target,
  ...(onSpans(draft) && draft.spanKind ? { spanKind: draft.spanKind } : {}),
  ...(onSpans(draft) && draft.spanName.trim() ? { spanName: draft.spanName.trim() } : {}),
});

export function toCreateInput(draft: RuleDraft): RouterInputs["rules"]["create"] {
  return {
    name: draft.name,
    type: draft.type,
    value: draft.value,
    isActive: draft.isActive,
    ...(draft.description.trim() ? { description: draft.description } : {}),
    ...(draft.projectId ? { projectId: draft.projectId } : {}),
    ...(draft.projectId && draft.taskName.trim() ? { taskName: draft.taskName.trim() } : {}),
    ...(isJudge(draft) && draft.llmJudgeProvider ? { llmJudgeProvider: draft.llmJudgeProvider } : {}),
    ...(isJudge(draft) && draft.llmJudgeModel.trim() ? { llmJudgeModel: draft.llmJudgeModel.trim() } : {}),
    ...targetOf(draft),
  };
}

/** On update `null` clears a field, so an emptied field is sent as null. */
export function toUpdateInput(id: string, draft: RuleDraft): RouterInputs["rules"]["update"] {
  return {
    id,
    name: draft.name,
    type: draft.type,
    value: draft.value,
    isActive: draft.isActive,
    description: draft.description.trim() ? draft.description : null,
    projectId: draft.projectId || null,
    taskName: draft.projectId && draft.taskName.trim() ? draft.taskName.trim() : null,
    llmJudgeProvider: isJudge(draft) && draft.llmJudgeProvider ? draft.llmJudgeProvider : null,
    llmJudgeModel: isJudge(draft) && draft.llmJudgeModel.trim() ? draft.llmJudgeModel.trim() : null,
    target: draft.target,
    // An output rule's span fields are cleared by the server; sending them would be refused.
    ...(onSpans(draft) ? { spanKind: draft.spanKind || null, spanName: draft.spanName.trim() || null } : {}),
  };
}

/** The unsaved rule as `rules.test` takes it. */
export function toTestRule(draft: RuleDraft) {
  return {
    type: draft.type,
    value: draft.value,
    ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
    ...(isJudge(draft) && draft.llmJudgeProvider ? { llmJudgeProvider: draft.llmJudgeProvider } : {}),
    ...(isJudge(draft) && draft.llmJudgeModel.trim() ? { llmJudgeModel: draft.llmJudgeModel.trim() } : {}),
    ...targetOf(draft),
  };
}

export function useRuleDraft(rule: Rule | null) {
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(rule));
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  return { draft, set };
}
