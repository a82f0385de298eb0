import type { JudgeProvider } from "@tracira/shared";
import type { Judge, JudgeRequest, JudgeResult } from "../types";
import { AbortScope } from "./abort-scope";
import { createAnthropicClient } from "./anthropic-judge";
import { JudgeFailure } from "./failure";
import { describeFailure } from "./messages";
import { createOpenAiClient } from "./openai-judge";
import { buildJudgePrompt } from "./prompt";
import { PROVIDERS, type ModelClient, type ModelClientOptions } from "./providers";
import { withRetries, type RetryPolicy } from "./retry";
import { parseVerdict } from "./verdict";

export interface JudgeConfig {
  /** Hard limit on one judgement, retries and waits included. Default 20 000. */
  timeoutMs?: number;
  /** Limit on one attempt, so a stalled request is retried while time remains. Default half of `timeoutMs`. */
  attemptTimeoutMs?: number;
  /** Retries after 429, 408, 5xx, connection errors and attempt timeouts. Default 3. */
  maxRetries?: number;
  /** First back-off delay, doubled on each retry (with jitter). Default 500. */
  retryBaseDelayMs?: number;
  /** The longest `retry-after` honoured. Default 5 000. */
  maxRetryAfterMs?: number;
  /** When neither the rule nor the workspace names one. Default "openai". */
  defaultProvider?: JudgeProvider;
  /** When neither the rule nor the workspace names one. */
  defaultModels?: Partial<Record<JudgeProvider, string>>;
  /** The server's keys (OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY), used when a workspace has none. */
  keys?: Partial<Record<JudgeProvider, string | undefined>>;
  /** Override the providers' API base URLs (a proxy, a gateway, a test server). */
  baseUrls?: Partial<Record<JudgeProvider, string | undefined>>;
}

/** A workspace's judge settings, keys already decrypted. Nulls mean "not set". */
export interface WorkspaceJudgeSettings {
  defaultProvider: JudgeProvider | null;
  models: Partial<Record<JudgeProvider, string | null>>;
  keys: Partial<Record<JudgeProvider, string | null>>;
}

export const DEFAULT_JUDGE_MODELS: Record<JudgeProvider, string> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-haiku-4-5",
  openrouter: "openai/gpt-4o-mini",
};

const CLIENT_FACTORIES: Record<JudgeProvider, (options: ModelClientOptions) => ModelClient> = {
  openai: createOpenAiClient,
  anthropic: createAnthropicClient,
  openrouter: createOpenAiClient,
};

/** Enough for every active key at once in practice; an evicted client is simply rebuilt. */
const MAX_CLIENTS = 500;

interface Target {
  provider: JudgeProvider;
  model: string;
  key: string;
  keySource: "workspace" | "server";
  baseURL: string;
}

/** Resolves provider, model and key for each request, then asks the model under one deadline. Never throws. */
export class JudgeService implements Judge {
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly defaultProvider: JudgeProvider;
  private readonly defaultModels: Record<JudgeProvider, string>;
  private readonly clients = new Map<string, ModelClient>();

  constructor(
    private readonly config: JudgeConfig,
    private readonly settings: (workspaceId: string) => Promise<WorkspaceJudgeSettings>,
  ) {
    this.timeoutMs = config.timeoutMs ?? 20_000;
    this.policy = {
      maxRetries: config.maxRetries ?? 3,
      malformedRetries: 1,
      baseDelayMs: config.retryBaseDelayMs ?? 500,
      maxDelayMs: 8_000,
      maxRetryAfterMs: config.maxRetryAfterMs ?? 5_000,
      attemptTimeoutMs: config.attemptTimeoutMs ?? Math.ceil(this.timeoutMs / 2),
    };
    this.defaultProvider = config.defaultProvider ?? "openai";
    this.defaultModels = { ...DEFAULT_JUDGE_MODELS, ...definedOnly(config.defaultModels) };
  }

  async judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult> {
    const scope = AbortScope.root(this.timeoutMs, signal);
    try {
      let workspace: WorkspaceJudgeSettings;
      try {
        workspace = await scope.race(this.settings(request.workspaceId));
      } catch (err) {
        return { ok: false, error: settingsError(err, this.timeoutMs) };
      }
      const target = this.resolve(request, workspace);
      if (!target.ok) return target;
      return await this.ask(target.value, request, scope);
    } catch (err) {
      // Unreachable by design; kept so a bug becomes an error outcome, not a crashed evaluation.
      return { ok: false, error: `The LLM judge failed unexpectedly: ${(err as Error).message}.` };
    } finally {
      scope.dispose();
    }
  }

  private resolve(request: JudgeRequest, workspace: WorkspaceJudgeSettings): { ok: true; value: Target } | { ok: false; error: string } {
    const provider = request.provider ?? workspace.defaultProvider ?? this.defaultProvider;
    const model = text(request.model) ?? text(workspace.models[provider]) ?? this.defaultModels[provider];
    const workspaceKey = text(workspace.keys[provider]);
    const key = workspaceKey ?? text(this.config.keys?.[provider]);
    const info = PROVIDERS[provider];
    if (!key) {
      return {
        ok: false,
        error: `No API key for ${provider}: add ${info.keySetting} in workspace settings or set ${info.envVar} on the server.`,
      };
    }
    const baseURL = text(this.config.baseUrls?.[provider]) ?? info.defaultBaseUrl;
    return { ok: true, value: { provider, model, key, keySource: workspaceKey ? "workspace" : "server", baseURL } };
  }

  private async ask(target: Target, request: JudgeRequest, scope: AbortScope): Promise<JudgeResult> {
    const client = this.client(target);
    const prompt = buildJudgePrompt(request);
    const outcome = await withRetries(
      async (signal) => {
        const parsed = parseVerdict(await client.ask(target.model, prompt, signal));
        if (!parsed.ok) throw new JudgeFailure({ kind: "malformed", message: parsed.error });
        return parsed.verdict;
      },
      this.policy,
      scope,
    );
    const judgedBy = { provider: target.provider, model: target.model };
    if (outcome.ok) return { ok: true, verdict: outcome.value, judgedBy };
    return {
      ok: false,
      judgedBy,
      error: describeFailure(outcome.failure, outcome.previous, {
        info: PROVIDERS[target.provider],
        model: target.model,
        baseURL: target.baseURL,
        keySource: target.keySource,
        attempts: outcome.attempts,
        timeoutMs: this.timeoutMs,
      }),
    };
  }

  /** One SDK client per (provider, key, base URL), least recently used evicted first. */
  private client(target: Target): ModelClient {
    const id = `${target.provider}\n${target.baseURL}\n${target.key}`;
    let client = this.clients.get(id);
    if (client) {
      this.clients.delete(id);
    } else {
      client = CLIENT_FACTORIES[target.provider]({ apiKey: target.key, baseURL: target.baseURL, timeoutMs: this.timeoutMs });
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value as string);
    }
    this.clients.set(id, client);
    return client;
  }
}

function settingsError(err: unknown, timeoutMs: number): string {
  if (err instanceof JudgeFailure && err.failure.kind === "deadline") {
    return `Tracira could not read the workspace's judge settings within ${timeoutMs} ms.`;
  }
  if (err instanceof JudgeFailure && err.failure.kind === "cancelled") return "The judgement was cancelled.";
  return `Tracira could not read the workspace's judge settings: ${(err as Error).message}.`;
}

/** A setting's value, or undefined when it is missing or blank. */
function text(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function definedOnly(models: Partial<Record<JudgeProvider, string>> | undefined): Partial<Record<JudgeProvider, string>> {
  return Object.fromEntries(Object.entries(models ?? {}).filter(([, m]) => text(m)));
}
