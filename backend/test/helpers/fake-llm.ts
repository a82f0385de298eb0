import http, { type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake model provider on 127.0.0.1 speaking OpenAI's chat completions (`…/chat/completions`, under any
 * prefix, so an OpenRouter base URL like `${url}/api/v1` works) and Anthropic's messages (`/v1/messages`).
 *
 * What it answers is scripted by the model name:
 * - `fake-pass`, `fake-fail`: a valid verdict;
 * - `fake-malformed`: prose (OpenAI) or a tool input of the wrong shape (Anthropic);
 * - `fake-fenced`: prose around a ```json fenced verdict;
 * - `fake-429-then-pass`, `fake-500-then-pass`: the first call for a conversation (same messages) fails,
 *   with `retry-after: 0` for the 429, then passes;
 * - `fake-429`, `fake-500`, `fake-401`, `fake-400`: always that status;
 * - `fake-hang`: never answers; `fake-slow-<ms>`: passes after that delay.
 * Replies pushed with `push` are served first, in order, whatever the model.
 */
export type FakeReply =
  /** Put this in the provider's structured slot (OpenAI content as JSON, Anthropic tool input), valid or not. */
  | { verdict: unknown }
  /** A plain text answer: OpenAI content, or an Anthropic text block with no tool call. */
  | { text: string }
  | { status: number; headers?: Record<string, string>; message?: string }
  | { hang: true }
  | { delayMs: number; then: FakeReply };

export interface FakeRequest {
  api: "openai" | "anthropic";
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  model: string;
  /** The key the SDK sent, from `Authorization: Bearer …` or `x-api-key`. */
  apiKey: string | undefined;
}

export interface FakeLlm {
  url: string;
  requests: FakeRequest[];
  push(...replies: FakeReply[]): void;
  /** Requests made for one model. */
  callsFor(model: string): FakeRequest[];
  /** Forgets requests, pushed replies and the "then pass" memory. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_PASS = { pass: true, confidence: 0.92, explanation: "The reply is polite and promises no refund." };
export const FAKE_FAIL = { pass: false, confidence: 0.81, explanation: "The reply promises a full refund." };

export async function startFakeLlm(): Promise<FakeLlm> {
  const requests: FakeRequest[] = [];
  const queue: FakeReply[] = [];
  const seen = new Set<string>();

  const scripted = (api: FakeRequest["api"], model: string, body: any): FakeReply => {
    const once = (failure: FakeReply): FakeReply => {
      const conversation = `${model}\n${JSON.stringify(body.messages)}`;
      if (seen.has(conversation)) return { verdict: FAKE_PASS };
      seen.add(conversation);
      return failure;
    };
    const slow = /^fake-slow-(\d+)$/.exec(model);
    if (slow) return { delayMs: Number(slow[1]), then: { verdict: FAKE_PASS } };
    switch (model) {
      case "fake-pass":
        return { verdict: FAKE_PASS };
      case "fake-fail":
        return { verdict: FAKE_FAIL };
      case "fake-malformed":
        return api === "openai" ? { text: "Looks fine to me!" } : { verdict: { verdict: "yes", score: "high" } };
      case "fake-fenced":
        return { text: `Here is my verdict:\n\`\`\`json\n${JSON.stringify(FAKE_PASS)}\n\`\`\`\nHope this helps.` };
      case "fake-429-then-pass":
        return once({ status: 429, headers: { "retry-after": "0" }, message: "Rate limit reached." });
      case "fake-500-then-pass":
        return once({ status: 500, message: "The server had an error." });
      case "fake-429":
        return { status: 429, headers: { "retry-after": "0" }, message: "Rate limit reached." };
      case "fake-500":
        return { status: 500, message: "The server had an error." };
      case "fake-401":
        return { status: 401, message: "Incorrect API key provided." };
      case "fake-400":
        return { status: 400, message: "Invalid request." };
      case "fake-hang":
        return { hang: true };
      default:
        return { status: 404, message: `The model ${model} does not exist.` };
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      const api = path.endsWith("/chat/completions") ? "openai" : path === "/v1/messages" ? "anthropic" : null;
      if (req.method !== "POST" || !api) return send(res, 404, { error: { message: `No route ${req.method} ${path}` } });
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return send(res, 400, { error: { message: "Body is not JSON" } });
      }
      const model = String(body?.model ?? "");
      const auth = req.headers.authorization;
      const apiKey = auth?.startsWith("Bearer ") ? auth.slice(7) : (req.headers["x-api-key"] as string | undefined);
      requests.push({ api, path, headers: req.headers, body, model, apiKey });
      reply(res, api, model, body, queue.shift() ?? scripted(api, model, body));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    push: (...replies) => void queue.push(...replies),
    callsFor: (model) => requests.filter((r) => r.model === model),
    reset() {
      requests.length = 0;
      queue.length = 0;
      seen.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hanging requests included
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, api: FakeRequest["api"], model: string, body: any, r: FakeReply): void {
  if ("hang" in r) return;
  if ("delayMs" in r) {
    const timer = setTimeout(() => reply(res, api, model, body, r.then), r.delayMs);
    res.on("close", () => clearTimeout(timer));
    return;
  }
  if ("status" in r) {
    const error =
      api === "openai"
        ? { error: { message: r.message ?? "error", type: "fake_error", param: null, code: null } }
        : { type: "error", error: { type: "fake_error", message: r.message ?? "error" } };
    return send(res, r.status, error, r.headers);
  }
  if (api === "openai") {
    const content = "text" in r ? r.text : JSON.stringify(r.verdict);
    return send(res, 200, {
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    });
  }
  const toolName = body?.tool_choice?.name ?? "record_verdict";
  const block = "text" in r ? { type: "text", text: r.text } : { type: "tool_use", id: "toolu_fake", name: toolName, input: r.verdict };
  send(res, 200, {
    id: "msg_fake",
    type: "message",
    role: "assistant",
    model,
    content: [block],
    stop_reason: block.type === "tool_use" ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 20 },
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
