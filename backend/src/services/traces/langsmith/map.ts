import { LIMITS, SpanInput, type LangSmithBatch, type LangSmithRun, type SpanKind } from "@tracira/shared";
import { ApiError } from "../../../lib/api-error";
import type { TracePart } from "../parts";

/**
 * LangSmith runs as Tracira spans: a run is a span of the trace its `trace_id` names (the root run's id, which
 * is the log's id), `parent_run_id` its parent, `dotted_order` kept as sent. The README's "LangSmith-compatible
 * ingest" table lists every field read here.
 */

const KINDS = new Map<string, SpanKind>([
  ["llm", "llm"],
  ["chain", "chain"],
  ["tool", "tool"],
  ["retriever", "tool"],
  ["embedding", "embedding"],
  ["prompt", "chain"],
  ["parser", "chain"],
]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);
const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);
const first = <T>(...values: (T | undefined)[]): T | undefined => values.find((v) => v !== undefined);

const ROLES = new Map([
  ["AI", "assistant"],
  ["Human", "user"],
  ["System", "system"],
  ["Tool", "tool"],
  ["Function", "function"],
]);

/**
 * LangChain's serialized objects (`{lc: 1, type: "constructor", id: [..., "AIMessage"], kwargs}`) as plain
 * values: a message as `{role, content}` (with its tool calls), a prompt value as its messages or text, any
 * other object as its fields.
 */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (!isObject(value)) return value;
  if (value.lc === 1 && value.type === "constructor" && Array.isArray(value.id) && isObject(value.kwargs)) {
    const cls = String(value.id.at(-1));
    const kwargs = value.kwargs;
    const message = /^(\w*?)Message(Chunk)?$/.exec(cls);
    if (message) {
      const toolCalls = Array.isArray(kwargs.tool_calls) && kwargs.tool_calls.length ? { tool_calls: plain(kwargs.tool_calls) } : {};
      const role = ROLES.get(message[1]!) ?? text(kwargs.role) ?? message[1]!.toLowerCase();
      return { role, content: plain(kwargs.content), ...(text(kwargs.name) ? { name: kwargs.name } : {}), ...toolCalls };
    }
    if (cls === "ChatPromptValue") return plain(kwargs.messages);
    if (cls === "StringPromptValue") return kwargs.value;
    return plain(kwargs);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

/** LangChain wraps a value that is not an object as `{input: …}` / `{output: …}`: the value itself. */
const unwrap = (value: unknown, key: string) => (isObject(value) && Object.keys(value).length === 1 && key in value ? value[key] : value);

/** The generations of an LLM run's outputs, flat (one list per prompt, usually one prompt). */
const generationsOf = (outputs: unknown): Json[] =>
  isObject(outputs) && Array.isArray(outputs.generations) ? outputs.generations.flat().filter(isObject) : [];

function inputOf(run: LangSmithRun): unknown {
  if (run.inputs === undefined || run.inputs === null) return undefined;
  const inputs = plain(run.inputs);
  if (run.run_type === "llm" && isObject(inputs)) {
    // One prompt (the usual call): its messages or its text, not a list of one.
    if (Array.isArray(inputs.messages) && inputs.messages.length === 1) return inputs.messages[0];
    if (Array.isArray(inputs.prompts) && inputs.prompts.length === 1) return inputs.prompts[0];
  }
  return unwrap(inputs, "input");
}

function outputOf(run: LangSmithRun): unknown {
  if (run.outputs === undefined || run.outputs === null) return undefined;
  const generations = generationsOf(run.outputs);
  if (generations.length === 1) return plain(generations[0]!.message) ?? generations[0]!.text;
  if (generations.length > 1) return generations.map((g) => plain(g.message) ?? g.text);
  return unwrap(plain(run.outputs), "output");
}

interface Usage {
  input?: number;
  output?: number;
  cached?: number;
}

/** Token counts in any of the shapes LangChain and provider SDKs report them. */
function usageIn(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const details = isObject(u.input_token_details)
    ? u.input_token_details
    : isObject(u.prompt_tokens_details)
      ? u.prompt_tokens_details
      : {};
  const usage = {
    input: count(first(u.input_tokens, u.prompt_tokens, u.promptTokens, u.inputTokens)),
    output: count(first(u.output_tokens, u.completion_tokens, u.completionTokens, u.outputTokens)),
    cached: count(first(details.cache_read, details.cached_tokens)),
  };
  return usage.input !== undefined || usage.output !== undefined ? usage : undefined;
}

/** The usage of the messages an LLM run generated, added up. */
function generatedUsage(outputs: unknown): Usage | undefined {
  const each = generationsOf(outputs)
    .map((g) =>
      isObject(g.message) ? usageIn(isObject(g.message.kwargs) ? g.message.kwargs.usage_metadata : g.message.usage_metadata) : undefined,
    )
    .filter((u): u is Usage => u !== undefined);
  if (each.length === 0) return undefined;
  const sum = (key: keyof Usage) => (each.some((u) => u[key] !== undefined) ? each.reduce((n, u) => n + (u[key] ?? 0), 0) : undefined);
  return { input: sum("input"), output: sum("output"), cached: sum("cached") };
}

function usageOf(run: LangSmithRun, metadata: Json): Usage | undefined {
  const outputs = isObject(run.outputs) ? run.outputs : {};
  const llmOutput = isObject(outputs.llm_output) ? outputs.llm_output : isObject(outputs.llmOutput) ? outputs.llmOutput : {};
  return first(
    usageIn(metadata.usage_metadata),
    usageIn(outputs.usage_metadata),
    generatedUsage(run.outputs),
    usageIn(first(llmOutput.token_usage, llmOutput.tokenUsage, llmOutput.estimatedTokenUsage)),
    usageIn(metadata.usage),
  );
}

/** LangSmith's dotted_order segment `20240101T120000123456Z<run id>`: the run's start, to the millisecond. */
function startOfSegment(segment: string | undefined): Date | undefined {
  const m = segment && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})\d*Z/.exec(segment);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function errorOf(error: unknown): unknown {
  if (error === undefined || error === null || error === "") return undefined;
  if (typeof error !== "string") return error;
  const [message, ...stack] = error.split("\n");
  return { message: message!.trim() || "error", ...(stack.length ? { stack: stack.join("\n") } : {}) };
}

/** A run as the SpanInput a caller would send for it (checked by the same contract). */
function toSpanInput(run: LangSmithRun, traceId: string): unknown {
  const extra = run.extra ?? {};
  const metadata = isObject(extra.metadata) ? extra.metadata : {};
  const params = isObject(extra.invocation_params) ? extra.invocation_params : {};
  const usage = usageOf(run, metadata);
  const ownSegment = run.dotted_order?.split(".").at(-1);
  const { usage_metadata: _usage, ...otherMetadata } = metadata;
  const tags = run.tags?.length ? { "langsmith.tags": run.tags } : {};
  const invocation = Object.keys(params).length ? { "llm.invocation_parameters": params } : {};
  return {
    id: run.id,
    parentSpanId: run.id === traceId ? null : (run.parent_run_id ?? null),
    kind: KINDS.get(run.run_type ?? "") ?? "chain",
    // A bare update (no name, no run_type) stands in for its run until the run itself comes: see PLACEHOLDER.
    name: (text(run.name) ?? run.run_type ?? run.id).slice(0, LIMITS.shortFieldChars),
    startedAt: (run.start_time ?? startOfSegment(ownSegment) ?? run.end_time)?.toISOString(),
    endedAt: run.end_time?.toISOString(),
    provider: text(metadata.ls_provider)?.slice(0, LIMITS.shortFieldChars),
    model: text(first(metadata.ls_model_name, params.model, params.model_name, params.modelName))?.slice(0, LIMITS.shortFieldChars),
    inputTokens: usage?.input,
    outputTokens: usage?.output,
    cachedInputTokens: usage?.cached,
    input: inputOf(run),
    output: outputOf(run),
    error: errorOf(run.error),
    attributes: {
      "langsmith.run_type": run.run_type ?? "chain",
      ...tags,
      ...invocation,
      ...Object.fromEntries(Object.entries(otherMetadata).map(([k, v]) => [`metadata.${k}`, v])),
    },
    dottedOrder: run.dotted_order,
  };
}

/** A run as one operation of a request: what it was sent as (`post.0`, `patch.<id>`…), for the errors. */
export interface LabelledRun {
  label: string;
  run: LangSmithRun;
}

/** The operations of a batch, labelled by their place in it. */
export const labelBatch = (batch: LangSmithBatch): LabelledRun[] => [
  ...(batch.post ?? []).map((run, i) => ({ label: `post.${i}`, run })),
  ...(batch.patch ?? []).map((run, i) => ({ label: `patch.${i}`, run })),
];

/** The operations on one run in one request, as one run: later ones add what they carry (a post and its patch). */
function mergeById(runs: readonly LabelledRun[]): LabelledRun[] {
  const byId = new Map<string, LabelledRun>();
  for (const { label, run } of runs) {
    const known = byId.get(run.id);
    const defined = Object.fromEntries(Object.entries(run).filter(([, v]) => v !== undefined)) as LangSmithRun;
    byId.set(run.id, known ? { label: known.label, run: { ...known.run, ...defined } } : { label, run });
  }
  return [...byId.values()];
}

const metaText = (runs: readonly LangSmithRun[], ...keys: string[]) => {
  for (const run of runs) {
    const metadata = isObject(run.extra?.metadata) ? run.extra.metadata : {};
    for (const key of keys) {
      const value = text(metadata[key]);
      if (value) return value.slice(0, LIMITS.shortFieldChars);
    }
  }
  return undefined;
};

/**
 * A request's runs as parts of their traces, all checked before anything is stored: a run that cannot be a
 * span is a 400 naming it (`post.0.start_time`), and nothing of the request is written.
 */
export function mapRuns(runs: readonly LabelledRun[], defaultProject: string): TracePart[] {
  const fields: Record<string, string> = {};
  const traces = new Map<string, { runs: LangSmithRun[]; spans: SpanInput[] }>();
  for (const { label, run } of mergeById(runs)) {
    const rootOfOrder = run.dotted_order?.split(".")[0]?.slice(-36).toLowerCase();
    const traceId = run.trace_id ?? (run.parent_run_id ? rootOfOrder : run.id);
    if (!traceId) {
      fields[`${label}.trace_id`] = "is required for a run with a parent (the root run's id)";
      continue;
    }
    const parsed = SpanInput.safeParse(toSpanInput(run, traceId));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path[0] === "startedAt" ? "start_time" : String(issue?.path[0] ?? "");
      fields[`${label}${field ? `.${field}` : ""}`] =
        field === "start_time" ? "is required (or a dotted_order that carries it)" : (issue?.message ?? "is invalid");
      continue;
    }
    const trace = traces.get(traceId) ?? { runs: [], spans: [] };
    traces.set(traceId, trace);
    if (run.id === traceId) trace.runs.unshift(run);
    else trace.runs.push(run);
    trace.spans.push(parsed.data);
  }
  if (Object.keys(fields).length) {
    const [key, why] = Object.entries(fields)[0]!;
    throw ApiError.invalid(`Run ${key} cannot be stored: ${why}.`, fields);
  }
  return [...traces].map(([traceId, { runs: traceRuns, spans }]) => {
    const root = traceRuns[0]!.id === traceId ? traceRuns[0] : undefined;
    const thread = metaText(traceRuns, "thread_id", "session_id", "conversation_id");
    return {
      traceId,
      project: first(text(root?.session_name), ...traceRuns.map((r) => text(r.session_name))) ?? defaultProject,
      task: null,
      sessionId: thread ?? null,
      actorId: metaText(traceRuns, "user_id") ?? null,
      fields: { name: root ? text(root.name)?.slice(0, LIMITS.shortFieldChars) : undefined, threadId: thread },
      spans,
      startedAt: new Date(Math.min(...spans.map((s) => s.startedAt!.getTime()))),
    };
  });
}
