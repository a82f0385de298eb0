import type { StoredPayload } from "./event-log";

/** An alert as people read it (Slack, e-mail): what happened, where, which rules, why. */
export interface Notice {
  title: string;
  facts: { label: string; value: string }[];
  explanation: string | null;
  /** The log in the dashboard, when the server knows its public URL. */
  link: string | null;
}

const HEADLINE = { pass: "Passed", flagged: "Flagged", error: "Evaluation error" } as const;

export function noticeFor(p: StoredPayload, publicUrl: string | undefined): Notice {
  const where = p.log.taskName ? `${p.log.projectName} / ${p.log.taskName}` : p.log.projectName;
  const triggered = p.log.appliedRules.filter((r) => r.outcome === "triggered").map((r) => r.ruleName);
  const errored = p.log.appliedRules.filter((r) => r.outcome === "error").map((r) => r.ruleName);
  const facts = [
    { label: "Status", value: p.status },
    { label: "Project", value: where },
    ...(triggered.length ? [{ label: "Triggered rules", value: triggered.join(", ") }] : []),
    ...(errored.length ? [{ label: "Rules with errors", value: errored.join(", ") }] : []),
    ...(p.log.model ? [{ label: "Model", value: p.log.model }] : []),
    { label: "Log", value: p.id },
  ];
  return {
    title: `${HEADLINE[p.status]}: ${where}`,
    facts,
    explanation: p.explanation || null,
    link: publicUrl ? `${publicUrl.replace(/\/+$/, "")}/logs/${encodeURIComponent(p.id)}` : null,
  };
}
