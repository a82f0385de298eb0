import type { RuleType } from "@tracira/shared";
import { evaluate, type Evaluation } from "../src/evaluation/engine";
import { parseJsonPath } from "../src/evaluation/json-path";
import { RegexPool } from "../src/evaluation/regex/regex-pool";
import { parseRuleValue } from "../src/evaluation/rule-values";
import type { EngineDeps, RuleDefinition } from "../src/evaluation/types";

const regex = new RegexPool({ size: 2, budgetMs: 300 });
const deps: EngineDeps = {
  regex,
  judge: { judge: async () => ({ ok: false, error: "no judge in this test" }) },
};
afterAll(() => regex.close());

let seq = 0;
const rule = (type: RuleType, value: string, name = `${type} #${++seq}`): RuleDefinition => ({
  id: `r${seq}`,
  name,
  type,
  value,
  scope: "global",
  llmJudgeProvider: null,
  llmJudgeModel: null,
});

async function outcomeOf(type: RuleType, value: string, output: string, confidence: number | null = null) {
  const result = await evaluate([rule(type, value)], { output, confidence, input: null }, deps, { workspaceId: "w" });
  return { outcome: result.appliedRules[0]!.outcome, explanation: result.appliedRules[0]!.explanation!, result };
}

type Case = [
  label: string,
  type: RuleType,
  value: string,
  output: string,
  expected: "passed" | "triggered" | "error",
  confidence?: number | null,
];

const cases: Case[] = [
  // keyword_required: triggered when any keyword is absent
  ["required: all present", "keyword_required", "refund, sorry", "We are SORRY; a Refund is on its way.", "passed"],
  ["required: one absent", "keyword_required", "refund, sorry", "A refund is on its way.", "triggered"],
  ["required: empty output", "keyword_required", "refund", "", "triggered"],
  ["required: unicode case folding", "keyword_required", "ÉTÉ, straße", "L'été à la STRASSE? non: Straße", "passed"],
  ["required: composed vs decomposed accents", "keyword_required", "café", "un cafe\u0301 noir", "passed"],
  ["required: emoji keyword", "keyword_required", "🙂", "thanks 🙂", "passed"],
  ["required: extra commas and spaces", "keyword_required", " refund ,, ,sorry ", "sorry about the refund", "passed"],
  // keyword_forbidden: triggered when any keyword is present
  ["forbidden: none present", "keyword_forbidden", "guarantee, lawsuit", "We will look into it.", "passed"],
  ["forbidden: one present (case-insensitive)", "keyword_forbidden", "guarantee, lawsuit", "We GUARANTEE results", "triggered"],
  ["forbidden: empty output", "keyword_forbidden", "guarantee", "", "passed"],
  ["forbidden: unicode", "keyword_forbidden", "ДЕНЬГИ", "верните деньги", "triggered"],
  // regex_match: triggered when the output does NOT match
  ["regex: matches", "regex_match", "order #\\d+", "Your order #123 shipped", "passed"],
  ["regex: no match", "regex_match", "order #\\d+", "Your order shipped", "triggered"],
  ["regex: /i flag", "regex_match", "/^hello/i", "HELLO there", "passed"],
  ["regex: without flag is case-sensitive", "regex_match", "^hello", "HELLO there", "triggered"],
  ["regex: /m flag", "regex_match", "/^second$/m", "first\nsecond\nthird", "passed"],
  ["regex: /s flag", "regex_match", "/a.b/s", "a\nb", "passed"],
  ["regex: /u with unicode property", "regex_match", "/\\p{Script=Greek}+/u", "λόγος", "passed"],
  ["regex: empty output", "regex_match", "\\S", "", "triggered"],
  ["regex: empty output can match", "regex_match", "^$", "", "passed"],
  ["regex: slash inside a plain pattern", "regex_match", "a/b", "path a/b here", "passed"],
  // length_limit: triggered when outside
  ["length: max within", "length_limit", "10", "0123456789", "passed"],
  ["length: max exceeded", "length_limit", "10", "01234567890", "triggered"],
  ["length: range below", "length_limit", "5-10", "abcd", "triggered"],
  ["length: range within", "length_limit", "5 - 10", "abcde", "passed"],
  ["length: empty output with min", "length_limit", "1-10", "", "triggered"],
  ["length: empty output, max only", "length_limit", "10", "", "passed"],
  ["length: emoji count as one character each", "length_limit", "3", "😀😀😀", "passed"],
  ["length: emoji over", "length_limit", "2", "😀😀😀", "triggered"],
  // confidence_threshold: triggered when below, or missing
  ["confidence: above", "confidence_threshold", "0.8", "x", "passed", 0.9],
  ["confidence: equal", "confidence_threshold", "0.8", "x", "passed", 0.8],
  ["confidence: below", "confidence_threshold", "0.8", "x", "triggered", 0.5],
  ["confidence: missing", "confidence_threshold", "0.8", "x", "triggered", null],
  ["confidence: zero threshold and zero", "confidence_threshold", "0", "x", "passed", 0],
  // json_field: triggered when not JSON, or the field is missing, null or empty
  ["json: present", "json_field", "customer.email", '{"customer":{"email":"a@b.c"}}', "passed"],
  ["json: nested array path", "json_field", "items[1].name", '{"items":[{"name":"a"},{"name":"b"}]}', "passed"],
  ["json: index out of range", "json_field", "items[2].name", '{"items":[{"name":"a"},{"name":"b"}]}', "triggered"],
  ["json: root array", "json_field", "[0].id", '[{"id":7}]', "passed"],
  ["json: dotted index", "json_field", "items.0", '{"items":["x"]}', "passed"],
  ["json: missing", "json_field", "customer.phone", '{"customer":{"email":"a@b.c"}}', "triggered"],
  ["json: null", "json_field", "a", '{"a":null}', "triggered"],
  ["json: empty string", "json_field", "a", '{"a":"  "}', "triggered"],
  ["json: empty array", "json_field", "a", '{"a":[]}', "triggered"],
  ["json: empty object", "json_field", "a", '{"a":{}}', "triggered"],
  ["json: zero and false are values", "json_field", "a", '{"a":0}', "passed"],
  ["json: false is a value", "json_field", "a", '{"a":false}', "passed"],
  ["json: not JSON", "json_field", "a", "plain text", "triggered"],
  ["json: empty output", "json_field", "a", "", "triggered"],
  ["json: fenced JSON from a model", "json_field", "a", '```json\n{"a":"x"}\n```', "passed"],
  ["json: quoted key with dots", "json_field", '["a.b"]', '{"a.b":1}', "passed"],
  ["json: unicode key", "json_field", "données.nom", '{"données":{"nom":"Zoë"}}', "passed"],
  ["json: $ prefix", "json_field", "$.a.b", '{"a":{"b":1}}', "passed"],
  // json_field_keyword_required: triggered when the field is missing or lacks any keyword
  [
    "json kw required: present",
    "json_field_keyword_required",
    "reply.text: thanks, sorry",
    '{"reply":{"text":"Sorry and THANKS"}}',
    "passed",
  ],
  ["json kw required: one absent", "json_field_keyword_required", "reply.text: thanks, sorry", '{"reply":{"text":"thanks"}}', "triggered"],
  ["json kw required: field missing", "json_field_keyword_required", "reply.text: thanks", '{"reply":{}}', "triggered"],
  [
    "json kw required: keyword elsewhere only",
    "json_field_keyword_required",
    "reply.text: thanks",
    '{"reply":{"text":"hi"},"x":"thanks"}',
    "triggered",
  ],
  ["json kw required: array field", "json_field_keyword_required", "tags: urgent", '{"tags":["Urgent","billing"]}', "passed"],
  ["json kw required: number field", "json_field_keyword_required", "order.id: 42", '{"order":{"id":1427}}', "passed"],
  ["json kw required: not JSON", "json_field_keyword_required", "a: x", "x", "triggered"],
  // json_field_keyword_forbidden: triggered when the field contains any keyword
  ["json kw forbidden: absent", "json_field_keyword_forbidden", "reply.text: lawsuit", '{"reply":{"text":"ok"}}', "passed"],
  ["json kw forbidden: present", "json_field_keyword_forbidden", "reply.text: lawsuit", '{"reply":{"text":"a LAWSUIT"}}', "triggered"],
  [
    "json kw forbidden: only elsewhere",
    "json_field_keyword_forbidden",
    "reply.text: lawsuit",
    '{"reply":{"text":"ok"},"note":"lawsuit"}',
    "passed",
  ],
  ["json kw forbidden: field missing", "json_field_keyword_forbidden", "reply.text: lawsuit", '{"reply":{}}', "passed"],
  [
    "json kw forbidden: nested object field",
    "json_field_keyword_forbidden",
    "reply: lawsuit",
    '{"reply":{"deep":["lawsuit"]}}',
    "triggered",
  ],
  ["json kw forbidden: path with bracket colon", "json_field_keyword_forbidden", '["a:b"]: x', '{"a:b":"has x"}', "triggered"],
];

describe("each rule type through the engine", () => {
  test.each(cases)("%s", async (_label, type, value, output, expected, confidence = null) => {
    const { outcome, explanation } = await outcomeOf(type, value, output, confidence);
    expect({ outcome, explanation: typeof explanation }).toEqual({ outcome: expected, explanation: "string" });
    expect(explanation.length).toBeGreaterThan(10);
  });

  test("explanations name what failed", async () => {
    expect((await outcomeOf("keyword_required", "refund, sorry", "refund")).explanation).toContain('"sorry"');
    expect((await outcomeOf("keyword_forbidden", "guarantee", "I guarantee")).explanation).toContain('"guarantee"');
    expect((await outcomeOf("length_limit", "5", "123456")).explanation).toContain("6 characters");
    expect((await outcomeOf("confidence_threshold", "0.8", "x")).explanation).toMatch(/No confidence/);
    expect((await outcomeOf("json_field", "a.b", '{"a":{}}')).explanation).toContain("a.b");
    expect((await outcomeOf("json_field", "a", "nope")).explanation).toMatch(/not valid JSON/);
  });

  test("a stored value that no longer parses is an error outcome, not a crash", async () => {
    const { outcome, explanation } = await outcomeOf("length_limit", "ten", "x");
    expect(outcome).toBe("error");
    expect(explanation).toMatch(/invalid/);
  });
});

describe("folding outcomes into a log status", () => {
  const run = (rules: RuleDefinition[], output = "hello world"): Promise<Evaluation> =>
    evaluate(rules, { output, confidence: null, input: null }, deps, { workspaceId: "w" });

  test("no rule → pass with confidenceScore 1", async () => {
    const r = await run([]);
    expect(r).toMatchObject({ status: "pass", confidenceScore: 1, appliedRules: [] });
    expect(r.explanation).toMatch(/No active rule/);
  });

  test("triggered wins over error; error wins over pass; explanation joins the non-passed rules", async () => {
    const pass = rule("keyword_required", "hello", "Greets");
    const trig = rule("keyword_forbidden", "world", "No world");
    const err = rule("regex_match", "^(a+)+$", "Backtracker");
    const flagged = await run([pass, trig, err], "a".repeat(40) + "! world");
    expect(flagged.status).toBe("flagged");
    expect(flagged.appliedRules.map((r) => r.outcome)).toEqual(["triggered", "triggered", "error"]);
    expect(flagged.explanation.split("\n")).toHaveLength(3);

    const errored = await run([rule("keyword_required", "a", "Has a"), err], "a".repeat(40) + "!");
    expect(errored.status).toBe("error");
    expect(errored.explanation).toMatch(/^Backtracker: .*ran longer than 300 ms/);

    const passed = await run([pass], "hello");
    expect(passed).toMatchObject({ status: "pass", explanation: "All 1 rule passed." });
  });

  test("appliedRules carry the rule's id, name, type, value, scope and outcome", async () => {
    const r = rule("keyword_required", "hello", "Greets");
    const { appliedRules } = await run([{ ...r, scope: "task" }]);
    expect(appliedRules[0]).toEqual({
      ruleId: r.id,
      ruleName: "Greets",
      ruleType: "keyword_required",
      ruleValue: "hello",
      scope: "task",
      outcome: "passed",
      explanation: expect.any(String),
    });
  });
});

describe("rule values are validated when saved", () => {
  const invalid: [RuleType, string][] = [
    ["keyword_required", " , ,"],
    ["regex_match", "(unclosed"],
    ["regex_match", "/a/ii"],
    ["regex_match", "/(?<n>a)(?<n>b)/"],
    ["length_limit", "ten"],
    ["length_limit", "10-5"],
    ["length_limit", "-5"],
    ["length_limit", "5.5"],
    ["confidence_threshold", "1.5"],
    ["confidence_threshold", "high"],
    ["json_field", "a..b"],
    ["json_field", "a[0"],
    ["json_field", ".a"],
    ["json_field", "a."],
    ["json_field_keyword_required", "a.b thanks"],
    ["json_field_keyword_required", "a.b:  , "],
    ["json_field_keyword_forbidden", "a[x]: y"],
    ["llm_judge", "   "],
  ];
  test.each(invalid)("%s %j is refused with the expected format", (type, value) => {
    const parsed = parseRuleValue(type, value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/expected /);
  });

  test("a /pattern/flags value keeps its flags; a bare pattern has none", () => {
    expect(parseRuleValue("regex_match", "/ab+c/gi")).toEqual({ ok: true, value: { type: "regex_match", source: "ab+c", flags: "gi" } });
    expect(parseRuleValue("regex_match", "ab/c")).toEqual({ ok: true, value: { type: "regex_match", source: "ab/c", flags: "" } });
  });

  test("JSON paths parse into keys and indexes", () => {
    expect(parseJsonPath("a.b[0].c")).toEqual({ ok: true, segments: ["a", "b", 0, "c"] });
    expect(parseJsonPath(`["x.y"]['z'][3]`)).toEqual({ ok: true, segments: ["x.y", "z", 3] });
  });
});
