import type { JudgeProvider } from "@tracira/shared";
import type { JudgePrompt } from "./prompt";

/** One provider account (key and base URL), able to ask a model for a verdict once. */
export interface ModelClient {
  /** The model's raw answer (an object or text, parsed later); throws a JudgeFailure otherwise. */
  ask(model: string, prompt: JudgePrompt, signal: AbortSignal): Promise<unknown>;
}

export interface ModelClientOptions {
  apiKey: string;
  baseURL: string;
  /** The SDK's own per-request timeout: a backstop, the judgement's deadline normally fires first. */
  timeoutMs: number;
}

export interface ProviderInfo {
  /** As written in sentences shown to builders. */
  label: string;
  /** Workspace settings fields, as named in the API. */
  keySetting: string;
  modelSetting: string;
  envVar: string;
  defaultBaseUrl: string;
}

export const PROVIDERS: Record<JudgeProvider, ProviderInfo> = {
  openai: {
    label: "OpenAI",
    keySetting: "openaiApiKey",
    modelSetting: "openaiJudgeModel",
    envVar: "OPENAI_API_KEY",
    defaultBaseUrl: "https://api.openai.com/v1",
  },
  anthropic: {
    label: "Anthropic",
    keySetting: "anthropicApiKey",
    modelSetting: "anthropicJudgeModel",
    envVar: "ANTHROPIC_API_KEY",
    defaultBaseUrl: "https://api.anthropic.com",
  },
  openrouter: {
    label: "OpenRouter",
    keySetting: "openrouterApiKey",
    modelSetting: "openrouterJudgeModel",
    envVar: "OPENROUTER_API_KEY",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
  },
};
