/**
 * What every trigger, action and search outputs: the verdict flattened into plain fields (generated from
 * @tracira/shared into ./generated/flat-log), with the samples Zapier shows before a real run.
 */
import { FLAT_LOG_FIELDS, FLAT_LOG_RESULT_FIELDS, type FlatLog, type FlatLogResult } from "./generated/flat-log";

export { flattenLog, flattenLogResult, type FlatLog, type LogLike, type LogResultLike } from "./generated/flat-log";

export const LOG_RESULT_OUTPUT_FIELDS = FLAT_LOG_RESULT_FIELDS;
export const LOG_OUTPUT_FIELDS = FLAT_LOG_FIELDS;

export const LOG_RESULT_SAMPLE: FlatLogResult = {
  id: "log_01J9ZQ4M8X",
  status: "flagged",
  verdict_pass: false,
  triggered_rules: "No refund promises",
  triggered_rule_count: 1,
  explanation: 'No refund promises: the output contains the forbidden keyword "refund".',
  confidence_score: 1,
};

export const LOG_SAMPLE: FlatLog = {
  ...LOG_RESULT_SAMPLE,
  log_id: "log_01J9ZQ4M8X",
  project: "Support bot",
  task: "reply",
  model: "gpt-4o-mini",
  session_id: "conv-8812",
  subject_id: "customer-1234",
  actor_id: "",
  input: "Can I get my money back?",
  output: "Sure, we will refund you in full today.",
  tags: "email, tier-1",
  metadata: { channel: "email" },
  timestamp: "2026-11-22T18:00:00.000Z",
  evaluated_at: "2026-11-22T18:00:01.000Z",
  human_decision: "",
  decided_at: "",
  decided_by: "",
  decision_source: "",
};
