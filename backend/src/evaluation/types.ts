import type { JudgeProvider, RuleOutcome, RuleScope, RuleType } from "@tracira/shared";
import type { JudgeTarget, SpanFilter, SpanJudgement } from "../projections/rule-evaluations";

export type { JudgeTarget, SpanFilter, SpanJudgement };

/** A rule as the engine sees it: stored or inline (`POST /api/rules/evaluate`). */
export interface RuleDefinition {
  id: string;
  name: string;
  type: RuleType;
  value: string;
  scope: RuleScope;
  llmJudgeProvider: JudgeProvider | null;
  llmJudgeModel: string | null;
  /** Set when the rule checks each matching span of the trace instead of the log's output. */
  spans?: SpanFilter;
}

/** A span as span rules read it. */
export interface SpanRecord {
  id: string;
  kind: string;
  name: string;
  input: unknown;
  output: unknown;
}

/** What a rule is checked against. */
export interface EvaluationSubject {
  /** The AI output as stored (JSON outputs as their JSON text); for a span, the text its rules check. */
  output: string;
  /** The caller's self-reported confidence (0–1), if sent. */
  confidence: number | null;
  /** The prompt as plain text, when known; shown to LLM judges. */
  input: string | null;
  /** How explanations name the checked text; "the output" when absent. */
  what?: string;
}

export interface RuleResult {
  outcome: RuleOutcome;
  /** A sentence a builder can act on, e.g. `Missing required keyword "refund".` */
  explanation: string;
  /** Set by LLM judges only: the judge's own confidence (0–1). */
  confidence?: number;
  /** Set by LLM judges that reached a model: which one answered (recorded with the evaluation). */
  judgedBy?: JudgeTarget;
  /** Set by span rules: each matching span's own result, in tree order. */
  spans?: SpanJudgement[];
}

/** Outcome of one regex test run under a time budget. */
export type RegexTestResult =
  { kind: "matched" } | { kind: "no_match" } | { kind: "timeout"; budgetMs: number } | { kind: "invalid"; message: string };

/** Runs a regex off the main thread with a time budget, so a catastrophic pattern cannot stall the server. */
export interface RegexRunner {
  /** `tenant`: the workspace the test is for; tenants share the runner fairly. */
  test(source: string, flags: string, text: string, tenant?: string): Promise<RegexTestResult>;
  close(): Promise<void>;
}

export interface JudgeRequest {
  /** The rule's choice; null means the workspace default, else the server default. */
  provider: JudgeProvider | null;
  /** The rule's choice; null means the workspace's model for the provider, else the server default. */
  model: string | null;
  /** Plain-language criteria the output must meet (the rule's value). */
  criteria: string;
  output: string;
  input: string | null;
  workspaceId: string;
}

export interface JudgeVerdict {
  pass: boolean;
  confidence: number;
  explanation: string;
}

/** A judge either gives a verdict or says, in a sentence, why it could not (missing key, timeout, bad answer). */
export type JudgeResult = { ok: true; verdict: JudgeVerdict; judgedBy: JudgeTarget } | { ok: false; error: string; judgedBy?: JudgeTarget };

/** Resolves provider, model and key (workspace settings, else environment), then asks the model. */
export interface Judge {
  judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult>;
}

/** What the engine needs from the outside world; everything else in the engine is pure. */
export interface EngineDeps {
  regex: RegexRunner;
  judge: Judge;
}
