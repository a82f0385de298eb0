import type { CallbackEvents, EventType, Verdict } from "@tracira/shared";
import { nextAttemptAt, parseRetryAfter, type BackoffPolicy } from "../src/deliveries/backoff";
import type { LogEvent } from "../src/deliveries/event-log";
import type { LogRecord } from "../src/projections/log";
import { callbackWants, SLACK_TARGET, subscriptionWants, targetsFor, type NotifySettings } from "../src/deliveries/targets";

/** When deliveries are retried (back-off, Retry-After, the retry window) and who gets which event. */

const SECOND = 1_000;
const HOUR = 3_600_000;
/** The defaults of TRACIRA_DELIVERY_BACKOFF_MS, _BACKOFF_MAX_MS and _RETRY_HOURS. */
const DEFAULTS: BackoffPolicy = { baseMs: 10 * SECOND, maxMs: HOUR, windowMs: 24 * HOUR };

const T0 = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
/** The delay `nextAttemptAt` chose after `attempt`, for a delivery created at T0 and failing at `nowMs`. */
const delay = (policy: BackoffPolicy, attempt: number, random: number, nowMs = 0, retryAfterMs?: number) => {
  const next = nextAttemptAt(policy, attempt, T0, at(nowMs), retryAfterMs, () => random);
  return next === undefined ? undefined : next.getTime() - at(nowMs).getTime();
};

/** A deterministic stand-in for Math.random (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Replays a delivery that always fails, as the sender does: each attempt asks for the next until told to
 * stop. Returns when each attempt was made (ms after creation); stops at 1,000 attempts.
 */
function alwaysFailing(policy: BackoffPolicy, random: () => number) {
  const times = [0];
  for (let attempt = 1; attempt < 1_000; attempt++) {
    const next = nextAttemptAt(policy, attempt, T0, at(times.at(-1)!), undefined, random);
    if (!next) break;
    times.push(next.getTime() - T0.getTime());
  }
  return times;
}

describe("nextAttemptAt", () => {
  test("doubles from the base delay, each delay inside [d/2, d]", () => {
    const policy: BackoffPolicy = { baseMs: 1_000, maxMs: HOUR, windowMs: 24 * HOUR };
    for (const [attempt, d] of [
      [1, 1_000],
      [2, 2_000],
      [3, 4_000],
      [4, 8_000],
      [8, 128_000],
    ] as const) {
      expect({ attempt, shortest: delay(policy, attempt, 0), longest: delay(policy, attempt, 1) }).toEqual({
        attempt,
        shortest: d / 2,
        longest: d,
      });
      const random = seeded(attempt);
      for (let i = 0; i < 50; i++) {
        const ms = nextAttemptAt(policy, attempt, T0, T0, undefined, random)!.getTime() - T0.getTime();
        expect(ms).toBeGreaterThanOrEqual(d / 2);
        expect(ms).toBeLessThanOrEqual(d);
      }
    }
  });

  test("jitter spreads retries: different random draws give different delays", () => {
    const random = seeded(42);
    const delays = new Set(Array.from({ length: 20 }, () => nextAttemptAt(DEFAULTS, 3, T0, T0, undefined, random)!.getTime()));
    expect(delays.size).toBeGreaterThan(10);
  });

  test("is capped at maxMs, however many attempts came before", () => {
    const policy: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, windowMs: 24 * HOUR };
    expect(delay(policy, 7, 1)).toBe(60_000); // 64 s uncapped
    expect(delay(policy, 7, 0)).toBe(30_000);
    expect(delay(policy, 500, 1)).toBe(60_000);
    expect(delay(DEFAULTS, 10_000, 1)).toBe(HOUR);
  });

  test("Retry-After lengthens the back-off, never shortens it, and is capped (6 h)", () => {
    expect(delay(DEFAULTS, 1, 1, 0, 2 * 60 * SECOND)).toBe(2 * 60 * SECOND);
    expect(delay(DEFAULTS, 10, 1, 0, 1 * SECOND)).toBe(HOUR); // the back-off is longer by then
    expect(delay(DEFAULTS, 1, 1, 0, 0)).toBe(10 * SECOND); // "0" on every answer must not mean hammering
    expect(delay(DEFAULTS, 1, 1, 0, 48 * HOUR)).toBe(6 * HOUR);
    expect(delay(DEFAULTS, 1, 1, 0, -5)).toBe(10 * SECOND);
  });

  test("gives up once the window has passed, not before", () => {
    expect(delay(DEFAULTS, 30, 1, 24 * HOUR - 1)).toBeDefined();
    expect(delay(DEFAULTS, 30, 1, 24 * HOUR)).toBeUndefined();
    expect(delay(DEFAULTS, 30, 1, 30 * HOUR)).toBeUndefined();
    expect(delay(DEFAULTS, 1, 1, 24 * HOUR, 10 * SECOND)).toBeUndefined(); // Retry-After does not reopen it
  });

  test.each([
    ["Math.random-like draws", seeded(7)],
    ["the longest delays", () => 1],
  ])("with the defaults, a delivery that always fails is tried for at least 24 h, a reasonable number of times (%s)", (_, random) => {
    const times = alwaysFailing(DEFAULTS, random);
    const last = times.at(-1)!;
    expect(last).toBeGreaterThanOrEqual(24 * HOUR);
    expect(last).toBeLessThanOrEqual(24 * HOUR + DEFAULTS.maxMs);
    expect(times.length).toBeGreaterThanOrEqual(25);
    expect(times.length).toBeLessThanOrEqual(45);
    expect(times[1]).toBeLessThanOrEqual(10 * SECOND); // the first retry comes soon
  });

  test("even with the shortest delays the number of attempts stays bounded", () => {
    const times = alwaysFailing(DEFAULTS, () => 0);
    expect(times.at(-1)!).toBeGreaterThanOrEqual(24 * HOUR);
    expect(times.length).toBeLessThanOrEqual(60);
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-03-01T12:00:00Z");

  test("seconds", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("1", now)).toBe(1_000);
    expect(parseRetryAfter(" 120 ", now)).toBe(120_000);
    expect(parseRetryAfter(["30", "60"], now)).toBe(30_000);
  });

  test("an HTTP date, from now; a date in the past means at once", () => {
    expect(parseRetryAfter("Sun, 01 Mar 2026 12:01:30 GMT", now)).toBe(90_000);
    expect(parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("Sunday, 01-Mar-26 12:00:10 GMT", now)).toBe(10_000); // the obsolete RFC 850 form
  });

  test("absent or unreadable is undefined", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter([], now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    // Not delay-seconds, and not dates either (Date.parse alone reads them as days of 2001: "retry at once").
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("later 5", now)).toBeUndefined();
  });

  test("a far Retry-After is capped by nextAttemptAt", () => {
    const asked = parseRetryAfter("Thu, 01 Jan 2099 00:00:00 GMT", now);
    expect(asked).toBeGreaterThan(6 * HOUR);
    expect(nextAttemptAt(DEFAULTS, 1, now, now, asked)!.getTime() - now.getTime()).toBe(6 * HOUR);
  });
});

// ---------- who gets which event ----------

type Status = Verdict | "pending";

function event(type: EventType, status: Status, row: Partial<LogRecord> = {}): LogEvent {
  return {
    type,
    row: {
      id: "log-1",
      workspaceId: "ws-1",
      projectId: "p-1",
      projectName: "support",
      taskName: null,
      userId: null,
      timestamp: T0,
      createdAt: T0,
      updatedAt: T0,
      sessionId: null,
      subjectId: null,
      actorId: null,
      model: null,
      latencyMs: null,
      costUsd: null,
      confidence: null,
      input: null,
      inputText: null,
      output: "x",
      metadata: null,
      tags: [],
      attachments: [],
      status,
      verdict: status,
      confidenceScore: null,
      explanation: null,
      appliedRules: [],
      evaluatedAt: T0,
      evalLeaseUntil: null,
      evalLeaseOwner: null,
      evalAttempts: 1,
      humanDecision: null,
      decidedAt: null,
      decidedBy: null,
      decisionSource: null,
      callbackUrl: null,
      callbackEvents: "all",
      traceName: null,
      agentId: null,
      runnerId: null,
      threadId: null,
      runId: null,
      traceStatus: "ok",
      spanCount: 0,
      errorCount: 0,
      llmCallCount: 0,
      toolCallCount: 0,
      totalInputTokens: 0,
      totalOutputTokens: 0,
      totalCostUsd: 0,
      startedAt: null,
      endedAt: null,
      linkedTraceId: null,
      linkedSpanId: null,
      ...row,
    },
  };
}

const OFF: NotifySettings = {
  slack: { enabled: false, configured: false, onFlag: false, onFail: false },
  email: { enabled: false, to: null, onFlag: false, onFail: false },
  webhook: { enabled: false, url: null, events: [] },
  hooks: [],
};
const kinds = (e: LogEvent, s: NotifySettings | undefined) => targetsFor(e.type, e.row, s).map((t) => t.kind);

/** Every evaluation outcome and a decision. */
const EVENTS = {
  pass: event("log.evaluated", "pass"),
  flagged: event("log.evaluated", "flagged"),
  error: event("log.evaluated", "error"),
  decided: event("log.decided", "flagged"),
};
const receivers = (settings: NotifySettings, kind: string) =>
  Object.entries(EVENTS)
    .filter(([, e]) => kinds(e, settings).includes(kind as never))
    .map(([name]) => name);

describe("Slack and e-mail: only evaluations that flag or fail, as chosen", () => {
  // [onFlag, onFail] → which of EVENTS alert.
  const MATRIX: [boolean, boolean, string[]][] = [
    [true, true, ["flagged", "error"]],
    [true, false, ["flagged"]],
    [false, true, ["error"]],
    [false, false, []],
  ];

  test.each(MATRIX)("Slack with notifyOnFlag=%s, notifyOnFail=%s", (onFlag, onFail, expected) => {
    expect(receivers({ ...OFF, slack: { enabled: true, configured: true, onFlag, onFail } }, "slack")).toEqual(expected);
  });

  test.each(MATRIX)("e-mail with emailOnFlag=%s, emailOnFail=%s", (onFlag, onFail, expected) => {
    expect(receivers({ ...OFF, email: { enabled: true, to: "ops@example.com", onFlag, onFail } }, "email")).toEqual(expected);
  });

  test("nothing when disabled, when Slack has no URL, or when e-mail has no address", () => {
    expect(receivers({ ...OFF, slack: { enabled: false, configured: true, onFlag: true, onFail: true } }, "slack")).toEqual([]);
    expect(receivers({ ...OFF, slack: { enabled: true, configured: false, onFlag: true, onFail: true } }, "slack")).toEqual([]);
    expect(receivers({ ...OFF, email: { enabled: false, to: "ops@example.com", onFlag: true, onFail: true } }, "email")).toEqual([]);
    expect(receivers({ ...OFF, email: { enabled: true, to: null, onFlag: true, onFail: true } }, "email")).toEqual([]);
  });

  test("targets: Slack by label (its URL is a secret), e-mail by address; a pending log counts as an error", () => {
    const settings: NotifySettings = {
      ...OFF,
      slack: { enabled: true, configured: true, onFlag: false, onFail: true },
      email: { enabled: true, to: "ops@example.com", onFlag: false, onFail: true },
    };
    expect(targetsFor("log.evaluated", event("log.evaluated", "pending").row, settings)).toEqual([
      { kind: "slack", target: SLACK_TARGET, hookId: null },
      { kind: "email", target: "ops@example.com", hookId: null },
    ]);
  });
});

describe("the outbound webhook", () => {
  const webhook = (events: string[], enabled = true, url: string | null = "https://example.com/in") => ({
    ...OFF,
    webhook: { enabled, url, events },
  });

  test("an empty event list means every event", () => {
    expect(receivers(webhook([]), "webhook")).toEqual(["pass", "flagged", "error", "decided"]);
  });

  test("an event list picks those events", () => {
    expect(receivers(webhook(["log.flagged", "log.decided"]), "webhook")).toEqual(["flagged", "decided"]);
    expect(receivers(webhook(["log.evaluated"]), "webhook")).toEqual(["pass", "flagged", "error"]);
    expect(receivers(webhook(["log.passed", "log.error"]), "webhook")).toEqual(["pass", "error"]);
  });

  test("nothing when disabled or without a URL", () => {
    expect(receivers(webhook([], false), "webhook")).toEqual([]);
    expect(receivers(webhook([], true, null), "webhook")).toEqual([]);
  });

  test("the target is the URL", () => {
    expect(targetsFor(EVENTS.flagged.type, EVENTS.flagged.row, webhook([]))).toEqual([
      { kind: "webhook", target: "https://example.com/in", hookId: null },
    ]);
  });
});

describe("subscriptionWants (hooks and webhook vocabulary)", () => {
  const TABLE: [string[], EventType, Verdict, boolean][] = [
    [["log.evaluated"], "log.evaluated", "pass", true],
    [["log.evaluated"], "log.decided", "pass", false],
    [["log.passed"], "log.evaluated", "pass", true],
    [["log.passed"], "log.evaluated", "flagged", false],
    [["log.flagged"], "log.evaluated", "flagged", true],
    [["log.flagged"], "log.evaluated", "error", false],
    [["log.error"], "log.evaluated", "error", true],
    [["log.error"], "log.decided", "error", false],
    [["log.decided"], "log.decided", "flagged", true],
    [["log.decided"], "log.evaluated", "flagged", false],
    [[], "log.evaluated", "flagged", false],
  ];
  test.each(TABLE)("%j wants %s (%s): %s", (events, type, status, wanted) => {
    expect(subscriptionWants(events, type, status)).toBe(wanted);
  });
});

describe("callbackWants and hooks in targetsFor", () => {
  test("callbackEvents decides what the log's own callbackUrl gets", () => {
    const wants = (events: CallbackEvents) =>
      Object.entries(EVENTS)
        .filter(([, e]) => callbackWants(events, e.type, e.row.status as Verdict))
        .map(([name]) => name);
    expect(wants("all")).toEqual(["pass", "flagged", "error", "decided"]);
    expect(wants("flagged_error")).toEqual(["flagged", "error"]);
    expect(wants("pass")).toEqual(["pass"]);
    expect(wants("decisions")).toEqual(["decided"]);
    expect(wants("flagged_error_decisions")).toEqual(["flagged", "error", "decided"]);
  });

  test("a callback goes to the log's callbackUrl; hooks filter by project and task", () => {
    const settings: NotifySettings = {
      ...OFF,
      hooks: [
        { id: "h-any", url: "https://a.example/any", events: ["log.evaluated"], projectName: null, taskName: null },
        { id: "h-support", url: "https://a.example/support", events: ["log.flagged"], projectName: "support", taskName: null },
        { id: "h-other", url: "https://a.example/other", events: ["log.flagged"], projectName: "sales", taskName: null },
        { id: "h-task", url: "https://a.example/task", events: ["log.flagged"], projectName: "support", taskName: "refunds" },
      ],
    };
    const flagged = event("log.evaluated", "flagged", { callbackUrl: "https://cb.example/x", callbackEvents: "flagged_error" });
    expect(targetsFor(flagged.type, flagged.row, settings)).toEqual([
      { kind: "callback", target: "https://cb.example/x", hookId: null },
      { kind: "hook", target: "https://a.example/any", hookId: "h-any" },
      { kind: "hook", target: "https://a.example/support", hookId: "h-support" },
    ]);
    const inTask = event("log.evaluated", "flagged", { taskName: "refunds" });
    expect(targetsFor(inTask.type, inTask.row, settings).map((t) => t.hookId)).toEqual(["h-any", "h-support", "h-task"]);
  });

  test("without settings (workspace not found) only the callback is targeted", () => {
    expect(kinds(event("log.evaluated", "flagged", { callbackUrl: "https://cb.example/x" }), undefined)).toEqual(["callback"]);
  });
});
