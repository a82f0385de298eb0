import type { Failure } from "./failure";
import type { ProviderInfo } from "./providers";

export interface FailureContext {
  info: ProviderInfo;
  model: string;
  baseURL: string;
  keySource: "workspace" | "server";
  attempts: number;
  timeoutMs: number;
}

/** A sentence a no-code builder can act on, for a judgement that ended in `failure`. */
export function describeFailure(failure: Failure, previous: Failure | null, ctx: FailureContext): string {
  const who = `${ctx.info.label} (model "${ctx.model}")`;
  const tries = ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : "";
  switch (failure.kind) {
    case "http":
      return describeHttp(failure, ctx, who, tries);
    case "network":
      return `Tracira could not reach ${ctx.info.label} at ${ctx.baseURL} for model "${ctx.model}"${tries}: ${clip(failure.message)}.`;
    case "malformed":
      return `${who} gave no usable verdict${tries}. ${failure.message}`;
    case "attempt_timeout":
      return `${who} did not answer in time${tries}.`;
    case "deadline": {
      const last = previous ? ` (previous attempt: ${shortly(previous)})` : "";
      return `${who} did not answer within ${duration(ctx.timeoutMs)}${tries}; the judgement was stopped${last}.`;
    }
    case "cancelled":
      return `The judgement was cancelled before ${who} answered.`;
    case "unexpected":
      return `The ${ctx.info.label} judge (model "${ctx.model}") failed unexpectedly: ${clip(failure.message)}.`;
  }
}

function describeHttp(failure: Extract<Failure, { kind: "http" }>, ctx: FailureContext, who: string, tries: string): string {
  const { status } = failure;
  const detail = failure.message ? `: ${clip(failure.message)}` : "";
  if (status === 401) {
    const where =
      ctx.keySource === "workspace"
        ? `check ${ctx.info.keySetting} in workspace settings`
        : `check ${ctx.info.envVar} on the server, or add ${ctx.info.keySetting} in workspace settings`;
    return `${ctx.info.label} refused the API key (HTTP 401) for model "${ctx.model}": ${where}.`;
  }
  if (status === 403) return `${ctx.info.label} denied access to model "${ctx.model}" (HTTP 403)${detail}.`;
  if (status === 404) {
    return `${ctx.info.label} does not know model "${ctx.model}" (HTTP 404): check the rule's judge model or ${ctx.info.modelSetting} in workspace settings${detail}.`;
  }
  if (status === 429) return `${who} ${tries ? "kept rate-limiting" : "rate-limited"} the judge (HTTP 429)${tries}${detail}.`;
  if (status >= 500) return `${who} had a server error (HTTP ${status})${tries}${detail}.`;
  return `${ctx.info.label} rejected the judge request for model "${ctx.model}" (HTTP ${status})${detail}.`;
}

function shortly(failure: Failure): string {
  switch (failure.kind) {
    case "http":
      return `HTTP ${failure.status}`;
    case "network":
      return "a connection error";
    case "malformed":
      return "no valid verdict";
    default:
      return "no answer in time";
  }
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function clip(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim().replace(/\.$/, "");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
