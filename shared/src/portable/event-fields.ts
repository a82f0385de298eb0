/** A field of a delivered event, described once for every app that lists output fields (Make's interfaces). */
export interface EventField {
  name: string;
  label: string;
  /** `collection`/`array` with `fields` hold objects; an `array` with `items` holds plain values. */
  type: "text" | "date" | "number" | "boolean" | "any" | "collection" | "array";
  fields?: readonly EventField[];
  items?: "text" | "number";
}

/** What a `log.evaluated` / `log.decided` delivery carries (the body of every hook and callback event). */
export const EVENT_FIELDS: readonly EventField[] = [
  { name: "event", label: "Event", type: "text" },
  { name: "hookEvent", label: "Trigger event (log.passed, log.flagged, log.error or log.decided)", type: "text" },
  { name: "deliveryId", label: "Delivery ID", type: "text" },
  { name: "occurredAt", label: "Occurred at", type: "date" },
  { name: "workspaceId", label: "Workspace ID", type: "text" },
  { name: "id", label: "Log ID", type: "text" },
  { name: "status", label: "Status", type: "text" },
  {
    name: "verdict",
    label: "Verdict",
    type: "collection",
    fields: [
      { name: "pass", label: "Pass", type: "boolean" },
      {
        name: "rules",
        label: "Rules",
        type: "array",
        fields: [
          { name: "name", label: "Rule", type: "text" },
          { name: "triggered", label: "Triggered", type: "boolean" },
        ],
      },
    ],
  },
  { name: "confidenceScore", label: "Confidence score", type: "number" },
  { name: "explanation", label: "Explanation", type: "text" },
  { name: "humanDecision", label: "Human decision", type: "text" },
  { name: "decidedBy", label: "Decided by", type: "text" },
  { name: "decisionSource", label: "Decision source", type: "text" },
  {
    name: "log",
    label: "Log",
    type: "collection",
    fields: [
      { name: "id", label: "Log ID", type: "text" },
      { name: "timestamp", label: "Timestamp", type: "date" },
      { name: "projectId", label: "Project ID", type: "text" },
      { name: "projectName", label: "Project", type: "text" },
      { name: "taskName", label: "Task", type: "text" },
      { name: "sessionId", label: "Session ID", type: "text" },
      { name: "subjectId", label: "Subject ID", type: "text" },
      { name: "actorId", label: "Actor ID", type: "text" },
      { name: "model", label: "Model", type: "text" },
      { name: "status", label: "Status", type: "text" },
      { name: "latencyMs", label: "Latency (ms)", type: "number" },
      { name: "costUsd", label: "Cost (USD)", type: "number" },
      { name: "confidenceScore", label: "Confidence score", type: "number" },
      { name: "humanDecision", label: "Human decision", type: "text" },
      { name: "decidedAt", label: "Decided at", type: "date" },
      { name: "decidedBy", label: "Decided by", type: "text" },
      { name: "decisionSource", label: "Decision source", type: "text" },
      { name: "metadata", label: "Metadata", type: "any" },
      { name: "tags", label: "Tags", type: "array", items: "text" },
      { name: "input", label: "Input", type: "any" },
      { name: "output", label: "Output", type: "text" },
      { name: "explanation", label: "Explanation", type: "text" },
      { name: "confidence", label: "Confidence", type: "number" },
      {
        name: "attachments",
        label: "Attachments",
        type: "array",
        fields: [
          { name: "key", label: "Key", type: "text" },
          { name: "filename", label: "File name", type: "text" },
          { name: "contentType", label: "Content type", type: "text" },
          { name: "size", label: "Size", type: "number" },
          { name: "url", label: "URL", type: "text" },
        ],
      },
      {
        name: "appliedRules",
        label: "Applied rules",
        type: "array",
        fields: [
          { name: "ruleId", label: "Rule ID", type: "text" },
          { name: "ruleName", label: "Rule name", type: "text" },
          { name: "ruleType", label: "Rule type", type: "text" },
          { name: "ruleValue", label: "Rule value", type: "text" },
          { name: "scope", label: "Scope", type: "text" },
          { name: "outcome", label: "Outcome", type: "text" },
          { name: "explanation", label: "Explanation", type: "text" },
          { name: "confidence", label: "Judge confidence", type: "number" },
        ],
      },
      { name: "evaluatedAt", label: "Evaluated at", type: "date" },
    ],
  },
];
