import { CreateLogBody, EvaluateRuleBody, LIMITS, ListLogsQuery } from "../src";
import { codePoints } from "../src/contracts/fields";

describe("CreateLogBody", () => {
  test("maps context aliases, canonical names first", () => {
    const parsed = CreateLogBody.parse({ project: "p", output: "o", chatId: "c1", threadId: "t1", recordId: 7, endUserId: "u" });
    expect(parsed).toMatchObject({ sessionId: "t1", subjectId: "7", actorId: "u", sync: false, callbackEvents: "all" });
    expect(parsed).not.toHaveProperty("chatId");
    expect(CreateLogBody.parse({ project: "p", output: "o", sessionId: "s", chatId: "c" }).sessionId).toBe("s");
  });

  test("timestamps: zone-less is UTC, impossible dates refused", () => {
    expect(CreateLogBody.parse({ project: "p", output: "o", timestamp: "2024-11-15T10:30:00" }).timestamp?.toISOString()).toBe(
      "2024-11-15T10:30:00.000Z",
    );
    expect(CreateLogBody.parse({ project: "p", output: "o", timestamp: "2024-11-15" }).timestamp?.toISOString()).toBe(
      "2024-11-15T00:00:00.000Z",
    );
    expect(CreateLogBody.parse({ project: "p", output: "o", timestamp: "2024-11-15T10:30:00+02:00" }).timestamp?.toISOString()).toBe(
      "2024-11-15T08:30:00.000Z",
    );
    expect(CreateLogBody.parse({ project: "p", output: "o", timestamp: "2024-02-29 10:30:00+05:30" }).timestamp?.toISOString()).toBe(
      "2024-02-29T05:00:00.000Z",
    );
    expect(CreateLogBody.safeParse({ project: "p", output: "o", timestamp: "2023-02-29" }).success).toBe(false);
  });

  test("output: objects become JSON text; the limit counts that text", () => {
    expect(CreateLogBody.parse({ project: "p", output: { a: [1] } }).output).toBe('{"a":[1]}');
    expect(CreateLogBody.safeParse({ project: "p", output: { a: "x".repeat(50_000) } }).success).toBe(false);
  });
});

describe("ListLogsQuery", () => {
  test("defaults and coercions from query text", () => {
    expect(ListLogsQuery.parse({})).toMatchObject({ sortBy: "timestamp", sortDir: "desc", page: 1, limit: 50 });
    expect(ListLogsQuery.parse({ pending: "true", page: "3", limit: "100", tags: "a, b" })).toMatchObject({
      pending: true,
      page: 3,
      limit: 100,
      tags: ["a", "b"],
    });
    expect(ListLogsQuery.safeParse({ limit: "101" }).success).toBe(false);
    expect(ListLogsQuery.safeParse({ from: "2025-02-01", to: "2025-01-01" }).success).toBe(false);
  });
});

describe("lengths count code points (an emoji is one), not UTF-16 units", () => {
  const emoji = "😀";
  test("an output of 49,999 emoji is accepted; one over the limit is refused with its length in code points", () => {
    expect(CreateLogBody.safeParse({ project: "p", output: emoji.repeat(LIMITS.outputChars - 1) }).success).toBe(true);
    expect(CreateLogBody.safeParse({ project: "p", output: emoji.repeat(LIMITS.outputChars) }).success).toBe(true);
    const over = CreateLogBody.safeParse({ project: "p", output: emoji.repeat(LIMITS.outputChars + 1) });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toContain(`(got ${LIMITS.outputChars + 1})`);
  });

  test("names, tags and input count the same way", () => {
    const name = emoji.repeat(LIMITS.projectNameChars);
    expect(CreateLogBody.safeParse({ project: name, task: name, output: "o", tags: [emoji.repeat(LIMITS.tagChars)] }).success).toBe(true);
    expect(CreateLogBody.safeParse({ project: "p", output: "o", input: emoji.repeat(LIMITS.inputChars) }).success).toBe(true);
    expect(CreateLogBody.safeParse({ project: "p", output: "o", input: `${emoji.repeat(LIMITS.inputChars)}x` }).success).toBe(false);
    expect(CreateLogBody.safeParse({ project: `${name}x`, output: "o" }).success).toBe(false);
    expect(CreateLogBody.safeParse({ project: "p", output: "o", tags: [`${emoji.repeat(LIMITS.tagChars)}x`] }).success).toBe(false);
    expect(
      EvaluateRuleBody.safeParse({ output: emoji.repeat(LIMITS.outputChars), rule: { type: "length_limit", value: "10" } }).success,
    ).toBe(true);
  });

  test("codePoints counts a lone surrogate as one", () => {
    expect(codePoints("a😀b")).toBe(3);
    expect(codePoints("\ud83d")).toBe(1);
    expect(codePoints("\ude00\ud83d")).toBe(2);
  });
});
