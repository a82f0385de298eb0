import OpenAI from "openai";
import { failureFromSdkError, JudgeFailure } from "./failure";
import type { JudgePrompt } from "./prompt";
import type { ModelClient, ModelClientOptions } from "./providers";
import { excerpt, VERDICT_JSON_SCHEMA } from "./verdict";

/** OpenAI's chat completions with a strict JSON-schema answer; also OpenRouter, which speaks the same API. */
export function createOpenAiClient(options: ModelClientOptions): ModelClient {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: 0, // retries and the deadline are ours (retry.ts)
    // Explicit nulls: the SDK would otherwise read OPENAI_ORG_ID etc. from the server's environment.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    logLevel: "off",
  });
  // Reasoning models (o-series, gpt-5…) refuse any temperature but the default; learnt once per model.
  const noTemperature = new Set<string>();

  const create = async (model: string, prompt: JudgePrompt, signal: AbortSignal) => {
    const body: OpenAI.ChatCompletionCreateParamsNonStreaming = {
      model,
      messages: [
        { role: "system", content: prompt.system },
        { role: "user", content: prompt.user },
      ],
      response_format: {
        type: "json_schema",
        json_schema: { name: "verdict", strict: true, schema: VERDICT_JSON_SCHEMA },
      },
      ...(noTemperature.has(model) ? {} : { temperature: 0 }),
    };
    try {
      return await client.chat.completions.create(body, { signal, maxRetries: 0 });
    } catch (err) {
      if (!noTemperature.has(model) && rejectsTemperature(err)) {
        noTemperature.add(model);
        return create(model, prompt, signal);
      }
      throw err;
    }
  };

  return {
    async ask(model, prompt, signal) {
      try {
        const completion = await create(model, prompt, signal);
        const message = completion.choices[0]?.message;
        if (message?.refusal) {
          throw new JudgeFailure({ kind: "malformed", message: `The judge model declined to answer: ${excerpt(message.refusal)}` });
        }
        return message?.content ?? null;
      } catch (err) {
        throw new JudgeFailure(failureFromSdkError(err, OpenAI));
      }
    },
  };
}

function rejectsTemperature(err: unknown): boolean {
  return err instanceof OpenAI.BadRequestError && (err.param === "temperature" || /temperature/i.test(err.message));
}
