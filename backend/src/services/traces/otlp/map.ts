import {
  LIMITS,
  OtlpSpan,
  SPAN_KINDS,
  SpanInput,
  type OtlpAnyValue,
  type OtlpExportEnvelope,
  type OtlpKeyValue,
  type SpanKind,
} from "@tracira/shared";
import type { TracePart } from "../parts";

/**
 * OTLP spans as Tracira spans: the OpenTelemetry GenAI semantic conventions (`gen_ai.*`) and OpenInference
 * (`openinference.span.kind`, `llm.*`, `input.value`/`output.value`) give kind, provider, model, tokens and
 * the messages; n8n's own workflow tracing (`workflow.execute`, `node.execute`, `n8n.*` attributes) gives
 * names, kinds and the workflow; the README's "OTLP mapping" table lists every attribute read here.
 */

export interface MappedExport {
  /** Each OTLP trace of the export: its spans, and what its log takes from them. */
  traces: TracePart[];
  rejectedSpans: number;
  /** Why spans were rejected (the first few), for the partial-success answer. */
  errors: string[];
}

type Attributes = Record<string, unknown>;

export function anyValue(value: OtlpAnyValue | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return null;
}

export function attributesOf(list: readonly OtlpKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);
const amount = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);
const first = <T>(...values: (T | undefined)[]): T | undefined => values.find((v) => v !== undefined);

/** A JSON text attribute (GenAI messages are JSON strings) as its value; other text as it is. */
const jsonish = (v: unknown): unknown => {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (!/^[[{]/.test(t)) return v;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return v;
  }
};

const OPENINFERENCE_KINDS: Record<string, SpanKind> = {
  LLM: "llm",
  CHAIN: "chain",
  TOOL: "tool",
  AGENT: "agent",
  RETRIEVER: "tool",
  RERANKER: "tool",
  EMBEDDING: "embedding",
  GUARDRAIL: "guardrail",
  EVALUATOR: "guardrail",
};

const GENAI_OPERATIONS: Record<string, SpanKind> = {
  chat: "llm",
  text_completion: "llm",
  generate_content: "llm",
  embeddings: "embedding",
  execute_tool: "tool",
  invoke_agent: "agent",
  create_agent: "agent",
};

const CLIENT = 3;

/** What an n8n node is, from the last part of its type (`@n8n/n8n-nodes-langchain.lmChatOpenAi` → `lmChatOpenAi`). */
const N8N_NODE_KINDS: [RegExp, SpanKind][] = [
  [/^agent/i, "agent"],
  [/^embeddings/i, "embedding"],
  [/mcp/i, "mcp"],
  [/guardrail/i, "guardrail"],
  [/^tool|Tool$/, "tool"],
  [/^(lm[A-Z]|openAi$|anthropic$|googleGemini$|ollama$|mistralAi$|groq$|deepSeek$|perplexity$)/, "llm"],
  [/^(if|switch|filter)$/, "condition"],
  [/^(httpRequest|webhook|respondToWebhook)$/, "webhook"],
];

function n8nKindOf(nodeType: string | undefined): SpanKind | undefined {
  const short = nodeType?.split(".").at(-1);
  return short ? N8N_NODE_KINDS.find(([pattern]) => pattern.test(short))?.[1] : undefined;
}

/** n8n names every span `workflow.execute` or `node.execute`: the workflow's or the node's own name says more. */
function n8nNameOf(spanName: string | undefined, a: Attributes): string | undefined {
  if (spanName === "workflow.execute") return text(a["n8n.workflow.name"]);
  if (spanName === "node.execute") return text(a["n8n.node.name"]);
  return undefined;
}

function kindOf(a: Attributes, otelKind: number): SpanKind {
  const explicit = text(a["tracira.span.kind"]);
  if (explicit && (SPAN_KINDS as readonly string[]).includes(explicit)) return explicit as SpanKind;
  const oi = text(a["openinference.span.kind"])?.toUpperCase();
  if (oi && OPENINFERENCE_KINDS[oi]) return OPENINFERENCE_KINDS[oi];
  const op = text(a["gen_ai.operation.name"]);
  if (op && GENAI_OPERATIONS[op]) return GENAI_OPERATIONS[op];
  if (text(a["mcp.method.name"])) return "mcp";
  const n8n = n8nKindOf(text(a["n8n.node.type"]));
  if (n8n) return n8n;
  if (otelKind === CLIENT && (a["http.request.method"] !== undefined || a["http.method"] !== undefined)) return "webhook";
  return "chain";
}

/** Attributes taken into the span's own fields are not repeated in `attributes` (they can be large). */
const MOVED = new Set([
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.prompt",
  "gen_ai.completion",
  "input.value",
  "output.value",
]);

const nanosToIso = (ns: string | number | undefined): string | undefined => {
  if (ns === undefined || ns === 0 || ns === "0") return undefined;
  return new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();
};

/** One OTLP span as the SpanInput a caller would send for it (checked by the same contract). */
function toSpanInput(span: OtlpSpan): unknown {
  const a = attributesOf(span.attributes);
  const kind = kindOf(a, Number(span.kind ?? 0));
  const failed = Number(span.status?.code ?? 0) === 2;
  const exception = span.events?.find((e) => e.name === "exception");
  const exceptionAttrs = attributesOf(exception?.attributes);
  const attributes = Object.fromEntries(Object.entries(a).filter(([key]) => !MOVED.has(key)));
  return {
    id: span.spanId.toLowerCase(),
    parentSpanId: span.parentSpanId ? span.parentSpanId.toLowerCase() : null,
    kind,
    name: (n8nNameOf(span.name, a) ?? text(span.name) ?? text(a["gen_ai.tool.name"]) ?? kind).slice(0, LIMITS.shortFieldChars),
    status: failed ? "error" : span.endTimeUnixNano && span.endTimeUnixNano !== "0" ? "ok" : "running",
    startedAt: nanosToIso(span.startTimeUnixNano),
    endedAt: nanosToIso(span.endTimeUnixNano),
    provider: text(first(a["gen_ai.provider.name"], a["gen_ai.system"], a["llm.provider"], a["llm.system"])),
    model: text(first(a["gen_ai.response.model"], a["gen_ai.request.model"], a["llm.model_name"])),
    inputTokens: count(first(a["gen_ai.usage.input_tokens"], a["gen_ai.usage.prompt_tokens"], a["llm.token_count.prompt"])),
    outputTokens: count(first(a["gen_ai.usage.output_tokens"], a["gen_ai.usage.completion_tokens"], a["llm.token_count.completion"])),
    cachedInputTokens: count(
      first(
        a["gen_ai.usage.cache_read.input_tokens"],
        a["gen_ai.usage.cached_input_tokens"],
        a["llm.token_count.prompt_details.cache_read"],
      ),
    ),
    costUsd: amount(first(a["gen_ai.usage.cost"], a["llm.cost.total"], a["tracira.cost_usd"])),
    input: jsonish(first(a["gen_ai.input.messages"], a["gen_ai.prompt"], a["input.value"])),
    output: jsonish(first(a["gen_ai.output.messages"], a["gen_ai.completion"], a["output.value"])),
    error: failed
      ? {
          message: text(span.status?.message) ?? text(exceptionAttrs["exception.message"]) ?? "error",
          ...(text(exceptionAttrs["exception.type"]) ? { type: exceptionAttrs["exception.type"] } : {}),
        }
      : undefined,
    attributes,
  };
}

/** `service.name` unless it is the SDK's placeholder (`unknown_service…`). */
function serviceName(resource: Attributes): string | undefined {
  const name = text(resource["service.name"]);
  return name && !name.startsWith("unknown_service") ? name : undefined;
}

const short = (v: unknown, max = LIMITS.shortFieldChars) => text(v)?.slice(0, max);

/**
 * Groups an export's spans by trace. A span that does not fit the contract is rejected alone (counted,
 * with its reason); the others are stored. The project: a `tracira.project` attribute, else the exporter's
 * `x-tracira-project` header (`headerProject`), else `service.name`, else `defaultProject`.
 */
export function mapExport(envelope: OtlpExportEnvelope, defaultProject: string, headerProject?: string): MappedExport {
  const traces = new Map<string, TracePart & { attrs: Attributes[] }>();
  const errors: string[] = [];
  let rejectedSpans = 0;
  const reject = (reason: string) => {
    rejectedSpans++;
    if (errors.length < 5) errors.push(reason);
  };
  for (const rs of envelope.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes as OtlpKeyValue[] | undefined);
    for (const ss of rs.scopeSpans ?? []) {
      for (const raw of ss.spans ?? []) {
        const otlp = OtlpSpan.safeParse(raw);
        if (!otlp.success) {
          reject(`a span is not an OTLP span: ${otlp.error.issues[0]?.message ?? "invalid"}`);
          continue;
        }
        const parsed = SpanInput.safeParse(toSpanInput(otlp.data));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          reject(`span ${otlp.data.spanId}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`.trim());
          continue;
        }
        const span = parsed.data;
        const a = attributesOf(otlp.data.attributes);
        const traceId = otlp.data.traceId.toLowerCase();
        let trace = traces.get(traceId);
        if (!trace) {
          trace = {
            traceId,
            project: (short(first(resource["tracira.project"], a["tracira.project"]), LIMITS.projectNameChars) ??
              short(headerProject, LIMITS.projectNameChars) ??
              serviceName(resource)?.slice(0, LIMITS.projectNameChars) ??
              defaultProject) as string,
            task: null,
            sessionId: null,
            actorId: null,
            fields: {},
            spans: [],
            startedAt: span.startedAt!,
            attrs: [],
          };
          traces.set(traceId, trace);
        }
        trace.spans.push(span);
        if (!span.parentSpanId) {
          trace.fields.name = span.name;
          trace.attrs.unshift(a, resource);
        } else trace.attrs.push(a, resource);
        if (span.startedAt! < trace.startedAt) trace.startedAt = span.startedAt!;
      }
    }
  }
  return {
    traces: [...traces.values()].map(({ attrs, ...trace }) => {
      const pick = (...keys: string[]) => short(first(...attrs.flatMap((a) => keys.map((k) => text(a[k])))));
      return {
        ...trace,
        task: pick("tracira.task", "n8n.workflow.name") ?? null,
        sessionId: pick("session.id", "gen_ai.conversation.id") ?? null,
        actorId: pick("user.id", "enduser.id") ?? null,
        fields: {
          ...trace.fields,
          agentId: pick("gen_ai.agent.id", "gen_ai.agent.name"),
          threadId: pick("gen_ai.conversation.id"),
          runId: pick("tracira.run_id", "n8n.execution.id"),
          runnerId: pick("tracira.runner_id", "n8n.workflow.id"),
        },
      };
    }),
    rejectedSpans,
    errors,
  };
}
