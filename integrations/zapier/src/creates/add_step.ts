import { defineCreate, type Bundle, type PlainInputField, type ZObject } from "zapier-platform-core";
import { SPAN_KIND_LABELS, SPAN_KINDS, SPAN_STATUS_LABELS, SPAN_STATUSES } from "../generated/contract";
import { api, isTrue } from "../http";
import { flattenStepResult, STEP_OUTPUT_FIELDS, STEP_SAMPLE, type StepResultLike } from "../step";

type Input = Record<string, unknown>;

const given = (value: unknown) => value !== undefined && value !== null && value !== "";

/** The `POST /api/logs/:id/steps` body from the step's fields (fields left empty are left out). */
export function stepBody(input: Input): Record<string, unknown> {
  const final = isTrue(input.final);
  const body: Record<string, unknown> = {
    id: input.stepId,
    parentStepId: input.parentStepId,
    kind: input.kind,
    name: input.name,
    input: input.input,
    output: input.output,
    model: input.model,
    provider: input.provider,
    inputTokens: input.inputTokens,
    outputTokens: input.outputTokens,
    costUsd: input.costUsd,
    durationMs: input.durationMs,
    status: input.status,
    error: input.error,
    final: final || undefined,
    sync: (final && isTrue(input.sync)) || undefined,
  };
  for (const key of Object.keys(body)) if (!given(body[key])) delete body[key];
  return body;
}

/** Wait for Verdict, offered once Final Step is True. */
function verdictField(_z: ZObject, bundle: Bundle): PlainInputField[] {
  if (!isTrue(bundle.inputData.final)) return [];
  return [
    {
      key: "sync",
      label: "Wait for Verdict",
      type: "boolean",
      default: "false",
      helpText:
        "Choose **True** to wait for the run's checks to finish and get the verdict (pass, flagged or error) in this step, so a Filter or Paths step can act on it. With **False**, the verdict comes later (the **New Verdict** trigger).",
    },
  ];
}

export default defineCreate({
  key: "add_step",
  noun: "Step",
  display: {
    label: "Add Step to Trace",
    description:
      "Records one step of a run (an LLM call, a tool call…) in the trace of a log; the final step ends the run and can wait for its verdict.",
  },
  operation: {
    inputFields: [
      {
        key: "log_id",
        label: "Log ID",
        required: true,
        helpText: "The **ID** from the Log Execution step (with **Wait for Final Step** = True) whose run this step belongs to.",
      },
      {
        key: "kind",
        label: "Kind",
        required: false,
        default: "llm",
        choices: SPAN_KINDS.map((value) => ({ value, label: SPAN_KIND_LABELS[value], sample: value })),
        helpText: "What the step was. Defaults to an LLM call.",
      },
      { key: "name", label: "Name", required: true, helpText: "What the step did, such as `Draft reply`." },
      {
        key: "final",
        label: "Final Step",
        type: "boolean",
        default: "false",
        altersDynamicFields: true,
        helpText: "Choose **True** on the run's last step: the log is checked now (with this step's output, if it was sent without one).",
      },
      verdictField,
      {
        key: "input",
        label: "Input",
        required: false,
        type: "text",
        helpText: "What the step was given: the prompt, the tool's arguments…",
      },
      { key: "output", label: "Output", required: false, type: "text", helpText: "What the step produced." },
      {
        key: "model",
        label: "Model",
        required: false,
        dynamic: "models.value.label",
        helpText: "The model of an LLM step, such as `gpt-4o-mini`.",
      },
      { key: "provider", label: "Provider", required: false, helpText: "The model's provider, such as `openai`." },
      { key: "inputTokens", label: "Input Tokens", required: false, type: "integer" },
      { key: "outputTokens", label: "Output Tokens", required: false, type: "integer" },
      { key: "costUsd", label: "Cost (USD)", required: false, type: "number", helpText: "What the step cost, in US dollars." },
      {
        key: "durationMs",
        label: "Duration (Ms)",
        required: false,
        type: "number",
        helpText: "How long the step took, in milliseconds (it is taken to have ended now).",
      },
      {
        key: "status",
        label: "Status",
        required: false,
        choices: SPAN_STATUSES.map((value) => ({ value, label: SPAN_STATUS_LABELS[value], sample: value })),
        helpText: "How the step ended. Defaults to OK, or Error when an error is given.",
      },
      { key: "error", label: "Error", required: false, type: "text", helpText: "What went wrong in this step." },
      {
        key: "parentStepId",
        label: "Parent Step ID",
        required: false,
        helpText: "The **Step ID** of the step this one ran inside. Without one, the step is a top-level step of the run.",
      },
      {
        key: "stepId",
        label: "Step ID",
        required: false,
        helpText:
          "Your own ID for the step (letters, digits and `. _ : -`), for other steps to name as their parent. Sending the same ID again updates that step. Defaults to a new ID.",
      },
    ],
    perform: async (z: ZObject, bundle: Bundle) => {
      const logId = String(bundle.inputData.log_id ?? "").trim();
      const result = await api<StepResultLike>(z, bundle, `/api/logs/${encodeURIComponent(logId)}/steps`, {
        method: "POST",
        body: stepBody(bundle.inputData),
      });
      return flattenStepResult(logId, result);
    },
    sample: STEP_SAMPLE,
    outputFields: [...STEP_OUTPUT_FIELDS],
  },
});
