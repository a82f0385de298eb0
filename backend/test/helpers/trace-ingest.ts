import type { TestServer } from "./server";

/**
 * What the trace-ingest tests (OTLP, n8n, LangSmith, steps) check traces with: a keyword rule that flags an
 * output promising a "full refund" in one project, and a hook that delivers `log.flagged` to a receiver.
 */
export async function forbidRefunds(server: TestServer, projectName: string): Promise<void> {
  const rule = await server.call("POST", "/api/rules", {
    name: "No refunds promised",
    type: "keyword_forbidden",
    value: "full refund",
    projectName,
  });
  if (rule.status !== 201) throw new Error(`could not create the refund rule: ${rule.status} ${JSON.stringify(rule.body)}`);
}

/** A hook that delivers every `log.flagged` to `<receiverUrl>/flagged`. */
export async function hookFlagged(server: TestServer, receiverUrl: string): Promise<void> {
  const hook = await server.call("POST", "/api/hooks", { url: `${receiverUrl}/flagged`, events: ["log.flagged"] });
  if (hook.status !== 201) throw new Error(`could not create the hook: ${hook.status} ${JSON.stringify(hook.body)}`);
}
