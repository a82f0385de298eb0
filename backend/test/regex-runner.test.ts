/**
 * The regex pool: answers (flags, unicode, invalid patterns), catastrophic patterns stopped at the budget
 * without stalling the main thread or the other worker, many concurrent tests, and shutdown.
 */
import { RegexPool, RegexRunnerError } from "../src/evaluation/regex/regex-pool";

const BUDGET = 150;
/** Timer lateness plus `terminate()`; generous for a loaded CI machine. */
const SLACK = 150;
const CATASTROPHIC_TEXT = "a".repeat(50_000) + "!";

/** Starts every worker and waits until all are ready, so timings below leave out thread start-up. */
async function warm(pool: RegexPool, size: number): Promise<void> {
  const internals = pool as any;
  while (internals.idle.length < size) {
    await Promise.all(Array.from({ length: size }, () => pool.test("a", "", "a")));
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

async function rejection(promise: Promise<unknown>): Promise<RegexRunnerError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RegexRunnerError);
    return err as RegexRunnerError;
  }
  throw new Error("expected a rejection");
}

describe("RegexPool", () => {
  let pool: RegexPool;

  beforeAll(async () => {
    pool = new RegexPool({ size: 2, budgetMs: BUDGET });
    await warm(pool, 2);
  });

  afterAll(() => pool.close());

  it("answers matched and no_match", async () => {
    expect(await pool.test("order #\\d+", "", "Your order #123 has shipped")).toEqual({ kind: "matched" });
    expect(await pool.test("order #\\d+", "", "Your order has shipped")).toEqual({ kind: "no_match" });
    expect(await pool.test("", "", "")).toEqual({ kind: "matched" });
  });

  it.each([
    ["i", "hello", "HELLO there"],
    ["m", "^b$", "a\nb\nc"],
    ["s", "a.b", "a\nb"],
    ["u", "^.$", "😀"],
    ["u", "^\\p{Lu}\\p{Ll}+$", "Élodie"],
  ])("honours the %s flag", async (flags, source, text) => {
    expect(await pool.test(source, flags, text)).toEqual({ kind: "matched" });
    expect(await pool.test(source, "", text)).toEqual({ kind: "no_match" });
  });

  it("matches unicode text", async () => {
    expect(await pool.test("café", "", "un café noir")).toEqual({ kind: "matched" });
    expect(await pool.test("école", "i", "ÉCOLE")).toEqual({ kind: "matched" });
    expect(await pool.test("本", "", "日本語")).toEqual({ kind: "matched" });
    expect(await pool.test("^[^\\x00-\\x7F]{3}$", "", "日本語")).toEqual({ kind: "matched" });
    expect(await pool.test("\\u{1F600}", "u", "smile 😀")).toEqual({ kind: "matched" });
  });

  it("reports a pattern that does not compile as invalid, without repeating the pattern", async () => {
    expect(await pool.test("(order", "", "order")).toEqual({
      kind: "invalid",
      message: "Invalid regular expression: Unterminated group",
    });
    expect(await pool.test("a/b(", "gi", "x")).toEqual({ kind: "invalid", message: "Invalid regular expression: Unterminated group" });
    const flags = await pool.test("a", "gg", "a");
    expect(flags.kind).toBe("invalid");
    expect(flags.kind === "invalid" && flags.message).toMatch(/flags/);
    // "i/x" + "y" must not be taken for the cached "i" + "x/y".
    expect(await pool.test("x/y", "i", "x/y")).toEqual({ kind: "matched" });
    expect((await pool.test("y", "i/x", "x/y")).kind).toBe("invalid");
  });

  it("does not let the g or y flag carry lastIndex from one test to the next", async () => {
    for (let i = 0; i < 10; i++) expect(await pool.test("a", "g", "a")).toEqual({ kind: "matched" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => pool.test("a", "gy", "aa")));
    expect(answers.every((a) => a.kind === "matched")).toBe(true);
    // Sticky: anchored at the start of the text, every time.
    for (let i = 0; i < 3; i++) expect(await pool.test("b", "y", "ab")).toEqual({ kind: "no_match" });
  });

  it.each([
    ["^(a+)+$", CATASTROPHIC_TEXT],
    ["(x+x+)+y", "x".repeat(50_000)],
  ])("stops %s at the budget and keeps working", async (source, text) => {
    const { value, ms } = await timed(() => pool.test(source, "", text));
    expect(value).toEqual({ kind: "timeout", budgetMs: BUDGET });
    expect(ms).toBeGreaterThanOrEqual(BUDGET - 2);
    expect(ms).toBeLessThan(BUDGET + SLACK);
    expect(await pool.test("a+$", "", "aaa")).toEqual({ kind: "matched" });
    expect(await pool.test("^b", "", "aaa")).toEqual({ kind: "no_match" });
  });

  it("keeps the main thread and the other worker responsive during a catastrophic test", async () => {
    await warm(pool, 2);
    let maxLag = 0;
    let ticking = true;
    const tick = (expected: number) => {
      maxLag = Math.max(maxLag, performance.now() - expected);
      if (ticking) setTimeout(tick, 1, performance.now() + 1);
    };
    setTimeout(tick, 1, performance.now() + 1);

    let catastrophicDoneAt = Infinity;
    const catastrophic = pool.test("^(a+)+$", "", CATASTROPHIC_TEXT).then((r) => {
      catastrophicDoneAt = performance.now();
      return r;
    });
    const answeredAt: number[] = [];
    for (let i = 0; i < 50; i++) {
      expect(await pool.test(`^item ${i}$`, "", `item ${i}`)).toEqual({ kind: "matched" });
      answeredAt.push(performance.now());
    }
    expect(await catastrophic).toEqual({ kind: "timeout", budgetMs: BUDGET });
    ticking = false;

    expect(Math.max(...answeredAt)).toBeLessThan(catastrophicDoneAt);
    expect(maxLag).toBeLessThan(50);
  });

  it("answers 2,000 concurrent tests correctly", async () => {
    const patterns: [string, string][] = [
      ["\\d{3}", ""],
      ["^hello", "i"],
      ["refund|return", ""],
      ["world$", "m"],
      ["\\p{Script=Greek}", "u"],
      ["a.c", "s"],
      ["x", "g"],
    ];
    const texts = ["Hello world", "call 555-0100", "we offer a refund", "a\nc", "αβγ", "xyz\nworld", "nothing"];
    const cases = Array.from({ length: 2000 }, (_, i) => {
      const [source, flags] = patterns[i % patterns.length]!;
      const text = `${texts[(i * 3 + Math.floor(i / 7)) % texts.length]!} #${i}`;
      return { source, flags, text, expected: new RegExp(source, flags).test(text) ? "matched" : "no_match" };
    });
    const results = await Promise.all(cases.map((c) => pool.test(c.source, c.flags, c.text)));
    expect(results.map((r) => r.kind)).toEqual(cases.map((c) => c.expected));
    expect(new Set(cases.map((c) => c.expected)).size).toBe(2);
  });
});

describe("RegexPool with one worker", () => {
  it("runs queued tests after a timeout, on a replacement worker", async () => {
    const pool = new RegexPool({ size: 1, budgetMs: BUDGET });
    try {
      const catastrophic = pool.test("^(a+)+$", "", CATASTROPHIC_TEXT);
      const queued = [pool.test("^a", "", "abc"), pool.test("^b", "", "abc"), pool.test("(", "", "abc")];
      expect(await catastrophic).toEqual({ kind: "timeout", budgetMs: BUDGET });
      expect(await Promise.all(queued)).toEqual([
        { kind: "matched" },
        { kind: "no_match" },
        { kind: "invalid", message: "Invalid regular expression: Unterminated group" },
      ]);
    } finally {
      await pool.close();
    }
  });

  it("close() answers the running and queued tests and does not hang", async () => {
    const pool = new RegexPool({ size: 1, budgetMs: 10_000 });
    await warm(pool, 1);
    const running = pool.test("^(a+)+$", "", CATASTROPHIC_TEXT);
    const queued = Array.from({ length: 10 }, (_, i) => pool.test(String(i), "", "0123456789"));
    const errors = Promise.all([running, ...queued].map(rejection));
    const { ms } = await timed(() => pool.close());
    expect(ms).toBeLessThan(1_000);
    expect((await errors).map((e) => e.reason)).toEqual(Array(11).fill("closed"));
    expect((await rejection(pool.test("a", "", "a"))).reason).toBe("closed");
    await pool.close(); // again: no-op
  });

  it("rejects past maxQueue with reason busy", async () => {
    const pool = new RegexPool({ size: 1, budgetMs: BUDGET, maxQueue: 2 });
    try {
      await warm(pool, 1);
      const running = pool.test("^(a+)+$", "", CATASTROPHIC_TEXT);
      const queued = [pool.test("a", "", "a"), pool.test("b", "", "a")];
      expect((await rejection(pool.test("c", "", "c"))).reason).toBe("busy");
      expect(await running).toEqual({ kind: "timeout", budgetMs: BUDGET });
      expect(await Promise.all(queued)).toEqual([{ kind: "matched" }, { kind: "no_match" }]);
    } finally {
      await pool.close();
    }
  });

  it("fails the running test when its worker dies, then starts a new worker", async () => {
    const pool = new RegexPool({ size: 1, budgetMs: 10_000 });
    try {
      await warm(pool, 1);
      const running = rejection(pool.test("^(a+)+$", "", CATASTROPHIC_TEXT));
      const queued = pool.test("^a", "", "abc");
      await new Promise((r) => setTimeout(r, 20));
      void (pool as any).slots[0].worker.terminate(); // as if it crashed
      const err = await running;
      expect(err.reason).toBe("failed");
      expect(err.message).toMatch(/stopped unexpectedly/);
      expect(await queued).toEqual({ kind: "matched" });
      expect(await pool.test("b", "", "abc")).toEqual({ kind: "matched" });
    } finally {
      await pool.close();
    }
  });
});

describe("RegexPool shared by workspaces", () => {
  it("one workspace's catastrophic patterns never hold every worker: another workspace's test runs at once", async () => {
    const pool = new RegexPool({ size: 2, budgetMs: BUDGET });
    try {
      await Promise.all([pool.test("a", "", "a"), pool.test("a", "", "a")]); // both workers started
      const done: string[] = [];
      const flood = Array.from({ length: 6 }, (_, i) =>
        pool.test("^(a+)+$", "", CATASTROPHIC_TEXT, "workspace-a").then((r) => done.push(`a${i}:${r.kind}`)),
      );
      const other = pool.test("^b", "", "bcd", "workspace-b").then((r) => done.push(`b:${r.kind}`));
      await Promise.all([...flood, other]);
      expect(done[0]).toBe("b:matched");
      expect(done.filter((d) => d.startsWith("a"))).toEqual(Array.from({ length: 6 }, (_, i) => `a${i}:timeout`));
    } finally {
      await pool.close();
    }
  });

  it("waiting tests are served in turn across workspaces, and each workspace's queue is bounded", async () => {
    const pool = new RegexPool({ size: 2, budgetMs: BUDGET, maxQueuePerTenant: 3 });
    try {
      await Promise.all([pool.test("a", "", "a"), pool.test("a", "", "a")]);
      const order: string[] = [];
      const a = Array.from({ length: 4 }, (_, i) =>
        pool.test("^(a+)+$", "", CATASTROPHIC_TEXT, "workspace-a").then(() => order.push(`a${i}`)),
      );
      // One of workspace-a's runs, three wait: a fifth is refused.
      expect((await rejection(pool.test("x", "", "x", "workspace-a"))).reason).toBe("busy");
      const b = Array.from({ length: 3 }, (_, i) =>
        pool.test("^(a+)+$", "", CATASTROPHIC_TEXT, "workspace-b").then(() => order.push(`b${i}`)),
      );
      await Promise.all([...a, ...b]);
      // Neither workspace waits for all of the other's tests: their turns interleave.
      expect(order.indexOf("b0")).toBeLessThan(order.indexOf("a2"));
      expect(order.indexOf("a1")).toBeLessThan(order.indexOf("b2"));
    } finally {
      await pool.close();
    }
  });
});
