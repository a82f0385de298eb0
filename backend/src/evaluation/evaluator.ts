import type { SqlClient } from "../db/sql";
import type { Outbox } from "../deliveries/outbox";
import { GroupCommit } from "../lib/group-commit";
import { evaluate, type Evaluation } from "./engine";
import { applicableRules } from "./scope";
import { finalize, loadActiveRules, loadTraceSpans, type ActiveRule, type FinalResult, type PendingLog } from "./store";
import type { EngineDeps, EvaluationSubject, RuleDefinition, SpanRecord } from "./types";

export interface EvaluatorOptions {
  /** A log claimed this many times without finishing (the process died each time) ends `error`. */
  maxAttempts: number;
}

export interface Processed {
  evaluation: Evaluation;
  /** False when another worker had already written this log's final status. */
  written: boolean;
}

/** Final writes from many concurrent evaluations go out together: one UPDATE, one commit. */
const FINAL_BATCH = {
  concurrency: 2,
  maxItems: 500,
  maxWeight: 8_000_000,
  // A span rule adds a row (a few hundred bytes) per span it checked.
  weight: (r: FinalResult) => 200 + r.evaluation.explanation.length + 300 * spanRowCount(r.evaluation),
};

const spanRowCount = (evaluation: Evaluation) =>
  Object.values(evaluation.spanOutcomes ?? {}).reduce((count, rule) => count + rule.spans.length, 0);

/**
 * Evaluates pending logs against their workspace's active rules and writes each final status once.
 * The worker and the sync gate both go through here, so a log is judged the same way on either path.
 */
export class Evaluator {
  private readonly finals = new GroupCommit<FinalResult, boolean>(async (results) => {
    const written = await finalize(this.sql, results, this.outbox);
    return results.map((r) => ({ status: "fulfilled", value: written.has(r.log.id) }));
  }, FINAL_BATCH);

  constructor(
    private readonly sql: SqlClient,
    private readonly engine: EngineDeps,
    private readonly options: EvaluatorOptions,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Evaluates and stores each log; rules are read once for the whole batch. `rules` may be read already
   * (the sync gate reads them while the log is being inserted). Spans are read, in one statement, only for
   * the logs a span rule applies to.
   */
  async processAll(logs: PendingLog[], signal?: AbortSignal, rules?: Promise<ActiveRule[]>): Promise<Processed[]> {
    if (!logs.length) return [];
    const active = await (rules ?? this.activeRules(logs.map((l) => l.workspaceId)));
    const applicable = logs.map((log) => (this.givenUp(log) ? [] : applicableRules(active, log)));
    const spans = await loadTraceSpans(
      this.sql,
      logs.filter((_, i) => applicable[i]!.some((rule) => rule.spans)).map((log) => log.id),
    );
    return Promise.all(logs.map((log, i) => this.process(log, applicable[i]!, spans.get(log.id) ?? [], signal)));
  }

  activeRules(workspaceIds: string[]): Promise<ActiveRule[]> {
    return loadActiveRules(this.sql, [...new Set(workspaceIds)]);
  }

  /** Claimed too many times without finishing: the log ends `error` without being evaluated again. */
  private givenUp(log: PendingLog): boolean {
    return log.evalAttempts > this.options.maxAttempts;
  }

  private async process(log: PendingLog, rules: RuleDefinition[], spans: SpanRecord[], signal?: AbortSignal): Promise<Processed> {
    const evaluation = this.givenUp(log)
      ? interrupted(log.evalAttempts - 1)
      : await evaluate(rules, subjectOf(log), this.engine, { workspaceId: log.workspaceId, signal, spans });
    // Stopped mid-way (graceful shutdown): the outcome is incomplete, so the log stays pending for the next worker.
    if (signal?.aborted) throw new Error("evaluation stopped before it finished");
    const written = await this.finals.submit({ log, evaluation });
    return { evaluation, written };
  }
}

/** The prompt as text for judges: `inputText`, else a text input, else the text parts of a multimodal input. */
export function subjectOf(log: Pick<PendingLog, "output" | "confidence" | "input" | "inputText">): EvaluationSubject {
  let input = log.inputText;
  if (input === null && typeof log.input === "string") input = log.input;
  if (input === null && Array.isArray(log.input)) {
    const texts = log.input.flatMap((part: { type?: unknown; text?: unknown }) =>
      part?.type === "text" && typeof part.text === "string" ? [part.text] : [],
    );
    input = texts.length ? texts.join("\n") : null;
  }
  return { output: log.output, confidence: log.confidence, input };
}

function interrupted(times: number): Evaluation {
  return {
    status: "error",
    confidenceScore: 1,
    explanation: `Evaluation was interrupted ${times} times (the server stopped while evaluating this log), so Tracira stopped retrying. Send the log again to re-evaluate it.`,
    appliedRules: [],
  };
}
