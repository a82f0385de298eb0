import type { RuleScope } from "@tracira/shared";
import type { ActiveRule, PendingLog } from "./store";
import type { RuleDefinition } from "./types";

export function ruleScope(rule: { projectId: string | null; taskName: string | null }): RuleScope {
  return rule.taskName ? "task" : rule.projectId ? "project" : "global";
}

/** Active, and its scope matches: global; its project; its project and task; or its task in any project. */
export function applicableRules(rules: ActiveRule[], log: Pick<PendingLog, "workspaceId" | "projectName" | "taskName">): RuleDefinition[] {
  return rules
    .filter(
      (r) =>
        r.workspaceId === log.workspaceId &&
        (r.projectName === null || r.projectName === log.projectName) &&
        (r.taskName === null || r.taskName === log.taskName),
    )
    .map(toDefinition);
}

/** A stored rule as the engine reads it. */
export function toDefinition(
  r: Pick<
    ActiveRule,
    "id" | "name" | "type" | "value" | "projectId" | "taskName" | "llmJudgeProvider" | "llmJudgeModel" | "target" | "spanKind" | "spanName"
  >,
): RuleDefinition {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    value: r.value,
    scope: ruleScope(r),
    llmJudgeProvider: r.llmJudgeProvider,
    llmJudgeModel: r.llmJudgeModel,
    ...(r.target === "spans" ? { spans: { kind: r.spanKind, name: r.spanName } } : {}),
  };
}
