import Anthropic from "@anthropic-ai/sdk";
import { failureFromSdkError, JudgeFailure } from "./failure";
import type { ModelClient, ModelClientOptions } from "./providers";
import { VERDICT_JSON_SCHEMA } from "./verdict";

const TOOL = "record_verdict";

/** Anthropic's messages API, forced to answer through one tool whose input is the verdict. */
export function createAnthropicClient(options: ModelClientOptions): ModelClient {
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: 0, // retries and the deadline are ours (retry.ts)
    webhookKey: null,
    logLevel: "off",
    openTelemetry: false,
  });

  return {
    async ask(model, prompt, signal) {
      try {
        const message = await client.messages.create(
          {
            model,
            max_tokens: 1024,
            system: prompt.system,
            messages: [{ role: "user", content: prompt.user }],
            tools: [{ name: TOOL, description: "Record your verdict on the output.", input_schema: VERDICT_JSON_SCHEMA }],
            tool_choice: { type: "tool", name: TOOL },
          },
          { signal, maxRetries: 0 },
        );
        if (message.stop_reason === "refusal") {
          throw new JudgeFailure({ kind: "malformed", message: "The judge model declined to answer." });
        }
        const call = message.content.find((block) => block.type === "tool_use" && block.name === TOOL);
        if (call?.type === "tool_use") return call.input;
        // No tool call despite tool_choice: whatever text came back may still hold the verdict.
        return message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
      } catch (err) {
        throw new JudgeFailure(failureFromSdkError(err, Anthropic));
      }
    },
  };
}
