import type { TestServer } from "./server";

/** Delivery tests share these: short back-off so retries happen within a test, and rules that pick a status. */
export const FAST_DELIVERIES = {
  TRACIRA_DELIVERY_BACKOFF_MS: "100",
  TRACIRA_DELIVERY_BACKOFF_MAX_MS: "300",
  TRACIRA_DELIVERY_POLL_MS: "50",
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rules that make each status happen on demand: "BAD" flags; task "judge" errors (a judge without any key). */
export async function statusRules(server: TestServer): Promise<void> {
  const flag = await server.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" });
  const judge = await server.call("POST", "/api/rules", { name: "Judge", type: "llm_judge", value: "Is polite", taskName: "judge" });
  if (flag.status !== 201 || judge.status !== 201) throw new Error(`could not create the status rules: ${flag.status} ${judge.status}`);
}

export type Status = "pass" | "flagged" | "error";

/** A log body that ends with each status under `statusRules`. */
export const OUTPUTS: Record<Status, { output: string; task?: string }> = {
  pass: { output: "All good here." },
  flagged: { output: "This is BAD." },
  error: { output: "Hello", task: "judge" },
};
