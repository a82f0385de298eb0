import type { RuleType } from "./enums";

/** How each rule type is named in the dashboard and what its value looks like. */
export const RULE_TYPE_INFO: Record<RuleType, { label: string; placeholder: string; hint: string }> = {
  keyword_required: {
    label: "Keywords required",
    placeholder: "refund, apology",
    hint: "Comma-separated keywords the output must contain.",
  },
  keyword_forbidden: {
    label: "Keywords forbidden",
    placeholder: "guarantee, lawsuit",
    hint: "Comma-separated keywords the output must not contain.",
  },
  regex_match: { label: "Regex match", placeholder: "/^order #\\d+/i", hint: "A pattern, or /pattern/flags, the output must match." },
  length_limit: { label: "Length limit", placeholder: "20-500", hint: 'A maximum ("500") or a range ("20-500") in characters.' },
  confidence_threshold: { label: "Confidence threshold", placeholder: "0.8", hint: "The minimum confidence, from 0 to 1." },
  llm_judge: {
    label: "LLM judge",
    placeholder: "The reply is polite and does not promise refunds.",
    hint: "The criteria in plain language; a judge model checks the output against them.",
  },
  json_field: { label: "JSON field present", placeholder: "customer.email", hint: "A JSON path that must exist in the output." },
  json_field_keyword_required: {
    label: "JSON field keywords required",
    placeholder: "reply.text: thanks, sorry",
    hint: "A JSON path, a colon, then the keywords that field must contain.",
  },
  json_field_keyword_forbidden: {
    label: "JSON field keywords forbidden",
    placeholder: "reply.text: lawsuit",
    hint: "A JSON path, a colon, then the keywords that field must not contain.",
  },
};
