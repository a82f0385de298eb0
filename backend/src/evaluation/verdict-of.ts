import type { SyncLogResult } from "@tracira/shared";
import type { Evaluation } from "./engine";

/** `verdict` as the sync answer and every event carry it. */
export function verdictOf(status: Evaluation["status"], appliedRules: Evaluation["appliedRules"]): SyncLogResult["verdict"] {
  return { pass: status === "pass", rules: appliedRules.map((r) => ({ name: r.ruleName, triggered: r.outcome === "triggered" })) };
}
