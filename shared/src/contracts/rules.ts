import { z } from "zod";
import { JUDGE_PROVIDERS, LOG_STATUSES, RULE_SCOPES, RULE_TYPES, VERDICTS } from "../enums";
import { LIMITS } from "../limits";
import { AppliedRule } from "./logs";
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

const scopeFields = {
  projectId: optionalText("projectId", LIMITS.shortFieldChars),
  projectName: optionalText("projectName", LIMITS.projectNameChars),
  taskName: optionalText("taskName", LIMITS.taskNameChars),
  llmJudgeProvider: unmapped(enumOf("llmJudgeProvider", JUDGE_PROVIDERS)),
  llmJudgeModel: optionalText("llmJudgeModel", LIMITS.shortFieldChars),
};

export const CreateRuleBody = z.object({
  name: requiredText("name", LIMITS.ruleNameChars, "No refund promises"),
  type: enumOf("type", RULE_TYPES),
  value: ruleValue,
  description: optionalText("description", LIMITS.ruleDescriptionChars),
  isActive: looseBoolean("isActive"),
  ...scopeFields,
});
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
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    error:
      "send at least one field to change (name, type, value, description, isActive, projectId, projectName, taskName, llmJudgeProvider, llmJudgeModel)",
  });
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
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Rule" });
export type Rule = z.infer<typeof Rule>;

export const RuleList = z.array(Rule);

/** An unsaved rule to try out: the fields that decide its outcome. */
const InlineRule = z.object({
  name: optionalText("rule.name", LIMITS.ruleNameChars),
  type: enumOf("rule.type", RULE_TYPES),
  value: ruleValue,
  llmJudgeProvider: unmapped(enumOf("rule.llmJudgeProvider", JUDGE_PROVIDERS)),
  llmJudgeModel: optionalText("rule.llmJudgeModel", LIMITS.shortFieldChars),
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
