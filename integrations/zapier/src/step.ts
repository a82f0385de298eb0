/**
 * What Add Step to Trace outputs: the step's answer as plain fields, and, when the final step waited for the
 * verdict, the same flat verdict fields Log Execution outputs (so Filter and Paths read them the same way).
 */
import { FLAT_LOG_RESULT_FIELDS, flattenLogResult, type FlatLogResult, type LogResultLike } from "./generated/flat-log";
import { LOG_RESULT_SAMPLE } from "./log";

/** The answer of `POST /api/logs/:id/steps`; the verdict fields only for a final step sent with `sync`. */
export interface StepResultLike extends Partial<Omit<LogResultLike, "id">> {
  traceId: string;
  stepId: string;
  spanCount: number;
  final: boolean;
}

type VerdictFields = Omit<FlatLogResult, "id">;

export type FlatStepResult = VerdictFields & {
  id: string;
  step_id: string;
  log_id: string;
  trace_id: string;
  span_count: number;
  final: boolean;
};

/** The answer of Add Step as flat fields; `status` is empty (and `verdict_pass` null) unless it waited for the verdict. */
export function flattenStepResult(logId: string, result: StepResultLike): FlatStepResult {
  const { id: _id, ...verdict } = flattenLogResult({ ...result, id: logId, status: result.status ?? "" });
  return {
    id: result.stepId,
    step_id: result.stepId,
    log_id: logId,
    trace_id: result.traceId,
    span_count: result.spanCount,
    final: result.final,
    ...verdict,
  };
}

export const STEP_OUTPUT_FIELDS = [
  { key: "id", label: "Step ID", type: "string" },
  { key: "step_id", label: "Step ID (Same as ID)", type: "string" },
  { key: "log_id", label: "Log ID", type: "string" },
  { key: "trace_id", label: "Trace ID", type: "string" },
  { key: "span_count", label: "Steps in Trace", type: "integer" },
  { key: "final", label: "Final Step", type: "boolean" },
  ...FLAT_LOG_RESULT_FIELDS.filter((field) => field.key !== "id").map((field) =>
    field.key === "status" ? { ...field, label: "Status (pass, flagged or error; empty unless Wait for Verdict)" } : field,
  ),
] as const;

const { id: _sampleLogId, ...SAMPLE_VERDICT } = LOG_RESULT_SAMPLE;

export const STEP_SAMPLE: FlatStepResult = {
  id: "check",
  step_id: "check",
  log_id: "log_01J9ZQ4M8X",
  trace_id: "log_01J9ZQ4M8X",
  span_count: 3,
  final: true,
  ...SAMPLE_VERDICT,
};
