import { z } from "zod";
import { JUDGE_PROVIDERS, LOG_STATUSES, RULE_SCOPES, RULE_TARGETS, RULE_TYPES, VERDICTS, type RuleTarget } from "../enums";
import { LIMITS } from "../limits";
import { AppliedRule } from "./logs";
import { SPAN_KINDS } from "./traces";
import { enumOf, looseBoolean, maxChars, nonNegativeNumber, optionalText, requiredText, unmapped } from "./fields";

/** Rule values are text; a number (e.g. a threshold typed into a number field) is read as its text. */
const ruleValue = z
  .union([z.string(), z.number().finite()], {
    error: (iss) => (iss.input === undefined ? 'value is required (what the rule checks, e.g. "refund, apology")' : "value must be text"),
  })
  .transform((v) => String(v))
  .pipe(
    z
      .string()
      .refine((v) => v.trim().length > 0, { error: "value must not be empty" })
      .refine((v) => v.length <= LIMITS.ruleValueChars, { error: `value must be at most ${LIMITS.ruleValueChars} characters` }),
  );

/** `null` clears a rule's scope field on update; `""` or absence leaves it as it is (no-code tools send "" when unmapped). */
const clearable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.nullable().optional());

/**
 * One of `values`. A refinement rather than an enum: inside the `rule` union of `POST /api/rules/evaluate`
 * a wrong value is then reported under its own path (`rule.spanKind`) instead of as "rule is invalid".
 */
const oneOf = <const T extends readonly [string, ...string[]]>(field: string, values: T) => {
  const error = `${field} must be one of: ${values.join(", ")}`;
  return z
    .string({ error: () => error })
    .refine((v) => (values as readonly string[]).includes(v), { error })
    .meta({ enum: [...values] }) as unknown as z.ZodType<T[number], string>;
};

/** What a rule checks (`target`) and, for span rules, which spans (`spanKind`, `spanName`: every span when absent). */
const targetFields = (prefix: string) => ({
  target: unmapped(oneOf(`${prefix}target`, RULE_TARGETS)),
  spanKind: unmapped(oneOf(`${prefix}spanKind`, SPAN_KINDS)),
  spanName: optionalText(`${prefix}spanName`, LIMITS.shortFieldChars),
});

/** Why a span field on an output rule is refused (it would be ignored without a word). */
export const spanFieldNeedsSpans = (field: string) => `${field} applies only to rules that check spans: send target "spans" with it`;

/**
 * Refuses `spanKind`/`spanName` on a rule whose target is the output. `omitted`: what an absent target means
 * (on create the default, "output"; on update the stored target, which the service checks).
 */
const spanFieldsNeedSpans =
  (prefix: string, omitted: RuleTarget | "stored") =>
  (rule: { target?: RuleTarget | null; spanKind?: string | null; spanName?: string | null }, ctx: z.RefinementCtx) => {
    const target = rule.target === undefined ? omitted : (rule.target ?? "output");
    if (target !== "output") return;
    for (const field of ["spanKind", "spanName"] as const) {
      if (rule[field] != null) ctx.addIssue({ code: "custom", path: [field], message: spanFieldNeedsSpans(`${prefix}${field}`) });
    }
  };

const scopeFields = {
  projectId: optionalText("projectId", LIMITS.shortFieldChars),
  projectName: optionalText("projectName", LIMITS.projectNameChars),
  taskName: optionalText("taskName", LIMITS.taskNameChars),
  llmJudgeProvider: unmapped(enumOf("llmJudgeProvider", JUDGE_PROVIDERS)),
  llmJudgeModel: optionalText("llmJudgeModel", LIMITS.shortFieldChars),
};

export const CreateRuleBody = z
  .object({
    name: requiredText("name", LIMITS.ruleNameChars, "No refund promises"),
    type: enumOf("type", RULE_TYPES),
    value: ruleValue,
    description: optionalText("description", LIMITS.ruleDescriptionChars),
    isActive: looseBoolean("isActive"),
    ...scopeFields,
    ...targetFields(""),
  })
  .superRefine(spanFieldsNeedSpans("", "output"));
export type CreateRuleInput = z.output<typeof CreateRuleBody>;

export const UpdateRuleBody = z
  .object({
    name: requiredText("name", LIMITS.ruleNameChars, "No refund promises").optional(),
    type: enumOf("type", RULE_TYPES).optional(),
    value: ruleValue.optional(),
    description: clearable(
      z.string().max(LIMITS.ruleDescriptionChars, { error: `description must be at most ${LIMITS.ruleDescriptionChars} characters` }),
    ),
    isActive: looseBoolean("isActive"),
    projectId: clearable(z.string().max(LIMITS.shortFieldChars, { error: "projectId is too long" })),
    projectName: clearable(
      z.string().max(LIMITS.projectNameChars, { error: `projectName must be at most ${LIMITS.projectNameChars} characters` }),
    ),
    taskName: clearable(z.string().max(LIMITS.taskNameChars, { error: `taskName must be at most ${LIMITS.taskNameChars} characters` })),
    llmJudgeProvider: clearable(enumOf("llmJudgeProvider", JUDGE_PROVIDERS)),
    llmJudgeModel: clearable(z.string().max(LIMITS.shortFieldChars, { error: "llmJudgeModel is too long" })),
    /** `null` sets the default, "output" (which also clears the span fields). */
    target: clearable(oneOf("target", RULE_TARGETS)),
    spanKind: clearable(oneOf("spanKind", SPAN_KINDS)),
    spanName: clearable(z.string().max(LIMITS.shortFieldChars, { error: `spanName must be at most ${LIMITS.shortFieldChars} characters` })),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    error:
      "send at least one field to change (name, type, value, description, isActive, projectId, projectName, taskName, llmJudgeProvider, llmJudgeModel, target, spanKind, spanName)",
  })
  .superRefine(spanFieldsNeedSpans("", "stored"));
export type UpdateRuleInput = z.output<typeof UpdateRuleBody>;

export const Rule = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(RULE_TYPES),
    description: z.string().nullable(),
    value: z.string(),
    isActive: z.boolean(),
    scope: z.enum(RULE_SCOPES),
    projectId: z.string().nullable(),
    projectName: z.string().nullable(),
    taskName: z.string().nullable(),
    llmJudgeProvider: z.enum(JUDGE_PROVIDERS).nullable(),
    llmJudgeModel: z.string().nullable(),
    target: z.enum(RULE_TARGETS),
    spanKind: z.enum(SPAN_KINDS).nullable(),
    spanName: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Rule" });
export type Rule = z.infer<typeof Rule>;

export const RuleList = z.array(Rule);

/** An unsaved rule to try out: the fields that decide its outcome. */
const InlineRule = z
  .object({
    name: optionalText("rule.name", LIMITS.ruleNameChars),
    type: enumOf("rule.type", RULE_TYPES),
    value: ruleValue,
    llmJudgeProvider: unmapped(enumOf("rule.llmJudgeProvider", JUDGE_PROVIDERS)),
    llmJudgeModel: optionalText("rule.llmJudgeModel", LIMITS.shortFieldChars),
    ...targetFields("rule."),
  })
  .superRefine(spanFieldsNeedSpans("rule.", "output"));

/** A span to try a span rule on: what the rule reads of a stored span. */
const SampleSpan = z.object({
  id: requiredText("spans[].id", LIMITS.shortFieldChars, "tool-1"),
  kind: enumOf("spans[].kind", SPAN_KINDS),
  name: requiredText("spans[].name", LIMITS.shortFieldChars, "search"),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
});

export const EvaluateRuleBody = z.object({
  output: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())], {
      error: (iss) =>
        iss.input === undefined ? "output is required: the text to test the rule on" : "output must be text (or a JSON object/array)",
    })
    .transform((v) => (typeof v === "string" ? v : JSON.stringify(v)))
    .pipe(maxChars(z.string(), LIMITS.outputChars, `output must be at most ${LIMITS.outputChars} characters`)),
  confidence: nonNegativeNumber("confidence", 1),
  input: optionalText("input", LIMITS.inputChars),
  /** The trace's spans in tree order, for a rule with target "spans". */
  spans: unmapped(
    z
      .array(SampleSpan, { error: () => "spans must be an array of { id, kind, name, input?, output? }" })
      .max(LIMITS.spansPerRequest, { error: `at most ${LIMITS.spansPerRequest} spans per request` }),
  ),
  /** A saved rule's id, `{ id }`, or an unsaved rule `{ type, value, … }`. */
  rule: z.union(
    [
      z.string().trim().min(1).max(LIMITS.shortFieldChars),
      z.object({ id: z.string().trim().min(1).max(LIMITS.shortFieldChars) }),
      InlineRule,
    ],
    {
      error: (iss) =>
        iss.input === undefined
          ? 'rule is required: a saved rule id, or { "type": "keyword_required", "value": "refund" }'
          : 'rule must be a saved rule id, or an object { "type", "value" } (type one of the rule types)',
    },
  ),
});
export type EvaluateRuleInput = z.output<typeof EvaluateRuleBody>;

export const EvaluateRuleResponse = z
  .object({
    verdict: z.enum(VERDICTS),
    status: z.enum(LOG_STATUSES),
    confidenceScore: z.number(),
    explanation: z.string(),
    appliedRules: z.array(AppliedRule),
  })
  .meta({ id: "RuleEvaluation" });
export type EvaluateRuleResponse = z.infer<typeof EvaluateRuleResponse>;
