import { defineCreate, type Bundle, type ZObject } from "zapier-platform-core";
import type { PlainInputField } from "zapier-platform-core";
import { api, isTrue } from "../http";
import { flattenLogResult, LOG_RESULT_OUTPUT_FIELDS, LOG_RESULT_SAMPLE } from "../log";

type Input = Record<string, unknown>;

const given = (value: unknown) => value !== undefined && value !== null && value !== "";

/** Zapier's "dict" field arrives as an object; a line item or JSON text is accepted too. */
function asObject(value: unknown): Record<string, unknown> | undefined {
  if (!given(value)) return undefined;
  if (typeof value === "string") {
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return value as Record<string, unknown>;
}

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : given(value) ? [value] : []).map((v) => String(v).trim()).filter(Boolean);

/** The `POST /api/logs` body from the step's fields (Tracira reads unmapped `""` as "not given"). */
export function logBody(input: Input): Record<string, unknown> {
  const body: Record<string, unknown> = {
    project: input.project,
    output: input.output ?? "",
    task: input.task,
    model: input.model,
    input: input.input,
    inputText: input.inputText,
    latencyMs: input.latencyMs,
    costUsd: input.costUsd,
    confidence: input.confidence,
    sessionId: input.sessionId,
    subjectId: input.subjectId,
    actorId: input.actorId,
    timestamp: input.timestamp,
    id: input.id,
    callbackUrl: input.callbackUrl,
    callbackEvents: input.callbackUrl ? input.callbackEvents : undefined,
    metadata: asObject(input.metadata),
    tags: list(input.tags),
    attachments: list(input.attachments).map((url) => ({ url })),
    sync: isTrue(input.sync),
    awaitFinalStep: isTrue(input.awaitFinalStep) || undefined,
  };
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (!given(value) || (Array.isArray(value) && value.length === 0)) delete body[key];
  }
  return body;
}

/** Output (optional when the log waits for its final step) and Wait for Verdict (which the final step has instead). */
function outputAndVerdictFields(_z: ZObject, bundle: Bundle): PlainInputField[] {
  const awaiting = isTrue(bundle.inputData.awaitFinalStep);
  const output: PlainInputField = {
    key: "output",
    label: "Output",
    required: !awaiting,
    type: "text",
    helpText: awaiting
      ? "Optional here: left empty, the final step's output (else the last LLM step's) is checked."
      : "The AI-generated text to check, usually the output of your AI step.",
  };
  if (awaiting) return [output];
  return [
    output,
    {
      key: "sync",
      label: "Wait for Verdict",
      type: "boolean",
      default: "false",
      helpText:
        "Choose **True** to wait for the checks to finish and get the verdict (pass, flagged or error) in this step, so a Filter or Paths step can act on it. With **False**, the log is stored and checked in the background (status **pending**).",
    },
  ];
}

export default defineCreate({
  key: "log_execution",
  noun: "Log",
  display: {
    label: "Log Execution",
    description: "Sends an AI output to Tracira to be checked against your rules, and optionally waits for the verdict.",
  },
  operation: {
    inputFields: [
      {
        key: "project",
        label: "Project",
        required: true,
        dynamic: "projects.name.name",
        altersDynamicFields: true,
        helpText: "The project the log belongs to. Pick one or type a new name: Tracira creates it on the first log.",
      },
      {
        key: "awaitFinalStep",
        label: "Wait for Final Step",
        type: "boolean",
        default: "false",
        altersDynamicFields: true,
        helpText:
          "Choose **True** when **Add Step to Trace** steps follow: the log stays **pending** until the step marked **Final Step** arrives, and is checked then. Output becomes optional (the final step's output is checked), and the verdict comes on that final step (its **Wait for Verdict**) or by the **New Verdict** trigger.",
      },
      outputAndVerdictFields,
      {
        key: "task",
        label: "Task",
        required: false,
        dynamic: "tasks.name.name",
        helpText: "The task within the project, such as `reply`. Task rules only apply to logs of their task.",
      },
      {
        key: "model",
        label: "Model",
        required: false,
        dynamic: "models.value.label",
        helpText: "The model that produced the output, such as `gpt-4o-mini`.",
      },
      { key: "input", label: "Input", required: false, type: "text", helpText: "The prompt or message the AI answered." },
      {
        key: "inputText",
        label: "Input Text",
        required: false,
        type: "text",
        helpText: "A plain-text version of the input, if the input above is not plain text.",
      },
      { key: "sessionId", label: "Session ID", required: false, helpText: "Groups logs of one conversation or thread." },
      {
        key: "subjectId",
        label: "Subject ID",
        required: false,
        helpText: "Who or what the output is about, such as a customer, ticket or record ID.",
      },
      { key: "actorId", label: "Actor ID", required: false, helpText: "Who or what produced the output, such as a user or agent ID." },
      { key: "latencyMs", label: "Latency (Ms)", required: false, type: "number", helpText: "How long the AI step took, in milliseconds." },
      { key: "costUsd", label: "Cost (USD)", required: false, type: "number", helpText: "What the AI call cost, in US dollars." },
      {
        key: "confidence",
        label: "Confidence",
        required: false,
        type: "number",
        helpText: "The AI's own confidence, from 0 to 1. Confidence-threshold rules check it.",
      },
      { key: "tags", label: "Tags", required: false, list: true, helpText: "Labels to filter logs by in Tracira." },
      { key: "metadata", label: "Metadata", required: false, dict: true, helpText: "Any extra key-value pairs to store with the log." },
      {
        key: "attachments",
        label: "Attachments",
        required: false,
        type: "file",
        list: true,
        helpText: "Files (or public file URLs) to store with the log, such as a generated image.",
      },
      {
        key: "timestamp",
        label: "Timestamp",
        required: false,
        type: "datetime",
        helpText: "When the output was produced. Defaults to now.",
      },
      {
        key: "id",
        label: "Log ID",
        required: false,
        helpText: "Your own ID for the log (letters, digits and `. _ : ~ -`). Sending the same ID twice stores it once.",
      },
      {
        key: "callbackUrl",
        label: "Callback URL",
        required: false,
        helpText: "A URL that receives the verdict (and later decisions) as a signed POST.",
      },
      {
        key: "callbackEvents",
        label: "Callback Events",
        required: false,
        choices: {
          all: "Every Verdict and Decision",
          flagged_error: "Flagged or Error Verdicts",
          pass: "Passed Verdicts",
          decisions: "Decisions",
          flagged_error_decisions: "Flagged or Error Verdicts, and Decisions",
        },
        helpText: "Which events the Callback URL receives. Defaults to every verdict and decision.",
      },
    ],
    perform: async (z: ZObject, bundle: Bundle) => {
      const result = await api<Parameters<typeof flattenLogResult>[0]>(z, bundle, "/api/logs", {
        method: "POST",
        body: logBody(bundle.inputData),
      });
      return flattenLogResult(result);
    },
    sample: LOG_RESULT_SAMPLE,
    outputFields: [...LOG_RESULT_OUTPUT_FIELDS],
  },
});
