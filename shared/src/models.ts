/**
 * Model presets offered in every integration's model dropdown and served by `GET /api/models`.
 * One list: the backend and the n8n, Zapier and Make apps all read it from here.
 * Users may still type any model name; these are shortcuts.
 */
export interface ModelPreset {
  label: string;
  value: string;
}

export const MODEL_PRESETS: readonly ModelPreset[] = [
  { label: "OpenAI GPT-5", value: "gpt-5" },
  { label: "OpenAI GPT-5 mini", value: "gpt-5-mini" },
  { label: "OpenAI GPT-4.1", value: "gpt-4.1" },
  { label: "OpenAI GPT-4.1 mini", value: "gpt-4.1-mini" },
  { label: "OpenAI GPT-4o", value: "gpt-4o" },
  { label: "OpenAI GPT-4o mini", value: "gpt-4o-mini" },
  { label: "OpenAI o3", value: "o3" },
  { label: "OpenAI o4-mini", value: "o4-mini" },
  { label: "Anthropic Claude Opus 4.1", value: "claude-opus-4-1" },
  { label: "Anthropic Claude Sonnet 4.5", value: "claude-sonnet-4-5" },
  { label: "Anthropic Claude Haiku 4.5", value: "claude-haiku-4-5" },
  { label: "Anthropic Claude 3.5 Sonnet", value: "claude-3-5-sonnet" },
  { label: "Google Gemini 2.5 Pro", value: "gemini-2.5-pro" },
  { label: "Google Gemini 2.5 Flash", value: "gemini-2.5-flash" },
  { label: "Mistral Large", value: "mistral-large-latest" },
  { label: "Meta Llama 3.3 70B", value: "llama-3.3-70b" },
  { label: "DeepSeek V3", value: "deepseek-chat" },
] as const;
