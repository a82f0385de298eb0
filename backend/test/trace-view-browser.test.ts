import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, newPage, SCREENSHOTS, signUp } from "./helpers/browser";
import { startServerProcess, type ServerProcess } from "./helpers/process";
import { callerFor, type Call } from "./helpers/server";

/**
 * A log's trace in the log detail, in a real browser against the built server (embedded database): the
 * span tree and waterfall, the step a span rule flagged, the span panel, collapse/expand, and a trace of
 * 2,000 spans (virtualised rows; the time to render is printed, never asserted).
 */
const ADMIN = { email: "ana@example.com", password: "correct horse battery", name: "Ana" };

let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let page: Page;

jest.setTimeout(120_000);

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-trace-view-"));
  server = await startServerProcess({ TRACIRA_DATA_DIR: dataDir });
  page = await newPage(browser, server.url);
  await signUp(page, { ...ADMIN, claimToken: server.printedToken });
});

afterAll(async () => {
  await browser?.close();
  await server?.kill("SIGTERM");
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The public REST API with the workspace token the first start printed. */
const rest: Call = (method, apiPath, body, options) => callerFor(server.url, server.printedToken!)(method, apiPath, body, options);

interface SentSpan {
  id: string;
  parentSpanId?: string;
  kind: string;
  name: string;
  status: "ok" | "error";
  startedAt: string;
  endedAt: string;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

/** The kinds at each depth below the root agent; deeper levels use the last list. */
const KINDS_AT = [
  ["runner_step"],
  ["llm", "tool", "chain", "mcp", "guardrail"],
  ["llm", "tool", "embedding", "condition", "webhook"],
  ["llm", "tool"],
];

/**
 * `count` spans of an agent run, generated depth first (so the order sent is the tree's order): each span at
 * depth d has `fanout[d]` children. Each span starts 7 ms after the previous one; a parent ends after its
 * last descendant.
 */
function agentRun(count: number, fanout: number[]): SentSpan[] {
  const base = Date.UTC(2026, 11, 7, 9, 0, 0);
  const shape: { parent?: number; depth: number }[] = [];
  const grow = (parent: number | undefined, depth: number) => {
    const index = shape.length;
    shape.push({ parent, depth });
    for (let child = 0; child < (fanout[depth] ?? 0) && shape.length < count; child++) grow(index, depth + 1);
  };
  grow(undefined, 0);
  const ends = shape.map((_, i) => base + i * 7 + 5 + ((i * 37) % 90));
  for (let i = shape.length - 1; i > 0; i--) ends[shape[i]!.parent!] = Math.max(ends[shape[i]!.parent!]!, ends[i]! + 3);
  const seen = new Map<number, number>();
  return shape.map(({ parent, depth }, i) => {
    const kinds = depth === 0 ? ["agent"] : KINDS_AT[Math.min(depth, KINDS_AT.length) - 1]!;
    const nth = seen.get(depth) ?? 0;
    seen.set(depth, nth + 1);
    const kind = kinds[nth % kinds.length]!;
    return {
      id: `s${i}`,
      ...(parent === undefined ? {} : { parentSpanId: `s${parent}` }),
      kind,
      name: `${kind}-${i}`,
      status: "ok",
      startedAt: new Date(base + i * 7).toISOString(),
      endedAt: new Date(ends[i]!).toISOString(),
      input: `input of step ${i}`,
      output: `output of step ${i}`,
      ...(kind === "llm" ? { model: "gpt-4o-mini", inputTokens: 120 + i, outputTokens: 40, costUsd: 0.0004 } : {}),
    };
  });
}

const row = (spanId: string) => page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`);

describe("a flagged 50-span trace", () => {
  const SPANS = agentRun(50, [4, 3, 2, 2]);
  const depthOf = (span: SentSpan): number => (span.parentSpanId ? 1 + depthOf(SPANS.find((s) => s.id === span.parentSpanId)!) : 0);
  const deepest = Math.max(...SPANS.map(depthOf));
  // The leak: the last llm span at the bottom of the tree (below the first screenful of rows); one tool span fails.
  const LEAK = SPANS.filter((s) => s.kind === "llm" && depthOf(s) === deepest).at(-1)!;
  const FAILED = SPANS.find((s) => s.kind === "tool" && depthOf(s) === 2)!;
  Object.assign(LEAK, { name: "compose-answer", input: "Draft the customer's answer", output: "Sure! The secret discount code is 42." });
  Object.assign(FAILED, { name: "inventory-lookup", status: "error", error: { message: "inventory service timed out" } });
  const RULE = "No secrets in model output";
  const REASON = `Span "compose-answer" (${LEAK.id}, llm): Forbidden keyword found in the span's output: "secret".`;
  let logId: string;

  beforeAll(async () => {
    expect(
      (
        await rest("POST", "/api/rules", {
          name: RULE,
          type: "keyword_forbidden",
          value: "secret",
          projectName: "support-agent",
          target: "spans",
          spanKind: "llm",
        })
      ).status,
    ).toBe(201);
    const sent = await rest<{ id: string; status: string }>("POST", "/api/logs", {
      project: "support-agent",
      task: "Answer a customer",
      output: "Your order ships today.",
      sync: true,
      trace: { name: "support-agent run" },
      spans: SPANS,
    });
    expect(sent.body.status).toBe("flagged");
    logId = sent.body.id;
    // The caller's own evaluator scores the whole trace.
    const own = await rest("POST", `/api/logs/${logId}/evaluations`, {
      evaluations: [
        { id: "tone-1", evaluator: "my_team.tone_check", name: "Tone", score: 0.92, label: "pass", reason: "Polite and clear." },
      ],
    });
    expect(own.status).toBe(200);
  });

  test("the flagged step is highlighted, its ancestors marked, and the header names it", async () => {
    expect(deepest).toBeGreaterThanOrEqual(4);
    expect(SPANS.indexOf(LEAK)).toBeGreaterThan(30);
    await page.goto(`/logs/${logId}`);
    await page.getByTestId("trace").waitFor();
    await expect(page.getByTestId("trace-flagged-at").textContent()).resolves.toContain("Flagged at step compose-answer");
    // The root is an ancestor of the leak: it carries the marker, not the highlight.
    await expect(row("s0").getAttribute("data-flagged")).resolves.toBe("within");
    await expect(row("s0").getAttribute("class")).resolves.toContain("trace-row-flagged-within");
    await expect(row("s0").getAttribute("aria-label")).resolves.toContain("a step inside is flagged");
    await expect(row(FAILED.id).getAttribute("class")).resolves.toContain("trace-row-error");

    // The trace's own evaluations: the rule's row and the caller's.
    const evaluations = page.getByTestId("log-evaluations");
    await evaluations.locator('[data-evaluation-id="tone-1"]').getByText("my_team.tone_check").waitFor();
    await evaluations.getByText("Polite and clear.").waitFor();
    await evaluations.getByText("rule.keyword_forbidden").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "trace-tree.png"), fullPage: true });

    await page.getByTestId("trace-flagged-at").getByRole("button", { name: "Show step" }).click();
    const leak = row(LEAK.id);
    await leak.waitFor();
    await expect(leak.getAttribute("data-flagged")).resolves.toBe("true");
    await expect(leak.getAttribute("class")).resolves.toMatch(/(^| )trace-row-flagged( |$)/);
    await expect(leak.getAttribute("aria-label")).resolves.toBe("compose-answer (llm, flagged)");
    await expect(row(LEAK.parentSpanId!).getAttribute("data-flagged")).resolves.toBe("within");
    // Only the leak is highlighted: the other llm spans passed.
    expect(await page.locator('[data-testid="span-row"][data-flagged="true"]').count()).toBe(1);
  });

  test("clicking the flagged step shows the rule's evaluation, its input and output in the panel", async () => {
    await row(LEAK.id).click();
    await expect(row(LEAK.id).getAttribute("aria-selected")).resolves.toBe("true");
    const panel = page.getByTestId("span-panel");
    await expect(panel.getAttribute("data-span-id")).resolves.toBe(LEAK.id);
    const evaluation = panel.getByTestId("span-evaluations").locator(`[data-evaluation-id$=":${LEAK.id}"]`);
    await evaluation.getByText(RULE).waitFor();
    await expect(evaluation.textContent()).resolves.toContain(REASON);
    await expect(evaluation.locator(".badge").textContent()).resolves.toBe("fail");
    await expect(panel.getByTestId("span-output").textContent()).resolves.toBe(LEAK.output);
    await expect(panel.getByTestId("span-input").textContent()).resolves.toBe(LEAK.input);
    await panel.getByText("gpt-4o-mini").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "trace-span-panel.png"), fullPage: true });

    // Home (the tree has the keys of a tree view) goes back to the first step; the failed tool span is near it.
    await page.getByTestId("span-tree").focus();
    await page.keyboard.press("Home");
    await expect(row("s0").getAttribute("aria-selected")).resolves.toBe("true");
    await row(FAILED.id).click();
    await expect(panel.getByTestId("span-error").textContent()).resolves.toContain("inventory service timed out");
  });

  test("collapse and expand: one node, then all", async () => {
    const parent = SPANS.find((s) => s.id === LEAK.parentSpanId)!;
    const showStep = page.getByTestId("trace-flagged-at").getByRole("button", { name: "Show step" });
    await showStep.click();
    await row(LEAK.id).waitFor();
    await row(parent.id)
      .getByRole("button", { name: `Collapse ${parent.name}` })
      .click();
    await row(LEAK.id).waitFor({ state: "detached" });
    await expect(row(parent.id).getAttribute("aria-expanded")).resolves.toBe("false");
    await row(parent.id)
      .getByRole("button", { name: `Expand ${parent.name}` })
      .click();
    await row(LEAK.id).waitFor();
    await expect(row(parent.id).getAttribute("aria-expanded")).resolves.toBe("true");

    const trace = page.getByTestId("trace");
    await trace.getByRole("button", { name: "Collapse all" }).click();
    await row(parent.id).waitFor({ state: "detached" });
    expect(await page.getByTestId("span-row").count()).toBe(1);
    // "Show step" opens the way down to the flagged step again.
    await showStep.click();
    await row(LEAK.id).waitFor();
    await trace.getByRole("button", { name: "Expand all" }).click();
    await page.getByTestId("span-tree").evaluate((tree) => tree.scrollTo({ top: 0 }));
    await row("s1").waitFor();
    await expect(row("s0").getAttribute("aria-expanded")).resolves.toBe("true");
    await expect(row("s1").getAttribute("aria-expanded")).resolves.toBe("true");
  });
});

describe("a 2,000-span trace", () => {
  const SPANS = agentRun(2000, [20, 5, 4, 4]);

  test("renders its first rows, and scrolling to the end shows the last span", async () => {
    const sent = await rest<{ id: string }>("POST", "/api/logs", {
      project: "load-agent",
      output: "done",
      trace: { name: "big run" },
      spans: SPANS.slice(0, 1000),
    });
    expect(sent.status).toBe(200);
    const appended = await rest("POST", `/api/logs/${sent.body.id}/spans`, { spans: SPANS.slice(1000) });
    expect(appended.body).toMatchObject({ ok: true, spanCount: 2000 });

    await page.goto(`/logs/${sent.body.id}`);
    await row("s0").waitFor();
    // From the trace's data resolving in the page to the tree's rows committed (User Timing marks the app sets).
    const renderMs = await page.evaluate(async () => {
      type Mark = { startTime: number; detail?: { spans?: number } };
      const mark = (name: string) => (performance.getEntriesByName(name) as Mark[]).find((e) => e.detail?.spans === 2000);
      while (!mark("tracira:trace-rendered")) await new Promise((resolve) => setTimeout(resolve, 10));
      return mark("tracira:trace-rendered")!.startTime - mark("tracira:trace-data")!.startTime;
    });
    // eslint-disable-next-line no-console
    console.log(`2,000-span tree rendered in ${Math.round(renderMs)} ms`);

    const rendered = await page.getByTestId("span-row").count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    const last = SPANS.at(-1)!;
    await page.getByTestId("span-tree").evaluate((tree) => tree.scrollTo({ top: tree.scrollHeight }));
    await row(last.id).waitFor();
    await expect(row(last.id).getAttribute("aria-label")).resolves.toContain(last.name);
  });
});

describe("a log posted from inside a workflow's trace (traceparent)", () => {
  const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  const POSTING_SPAN = "00f067aa0ba902b7";
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, 0) + ms).toISOString();

  test("links to the workflow's trace, opened on the step that posted it, which shows the log's verdict", async () => {
    // The workflow's trace as its OTLP export stores it: the log's id is the W3C trace id.
    const workflow = await rest("POST", "/api/logs", {
      id: TRACE_ID,
      project: "n8n",
      output: "workflow finished",
      trace: { name: "Support workflow" },
      spans: [
        { id: "a1b2c3d4e5f60718", kind: "chain", name: "Support workflow", startedAt: at(0), endedAt: at(900) },
        { id: "1111222233334444", parentSpanId: "a1b2c3d4e5f60718", kind: "webhook", name: "Webhook", startedAt: at(0), endedAt: at(20) },
        { id: POSTING_SPAN, parentSpanId: "a1b2c3d4e5f60718", kind: "chain", name: "Tracira", startedAt: at(400), endedAt: at(850) },
        // Its parent has not been exported (yet): the step is shown at the top of the tree.
        {
          id: "5555666677778888",
          parentSpanId: "9999aaaabbbbcccc",
          kind: "tool",
          name: "Late tool",
          startedAt: at(500),
          status: "running",
        },
      ],
    });
    expect(workflow.status).toBe(200);
    expect(
      (
        await rest("POST", "/api/rules", {
          name: "No refund promises",
          type: "keyword_forbidden",
          value: "refund",
          projectName: "workflow-replies",
        })
      ).status,
    ).toBe(201);
    const posted = await rest<{ id: string; status: string }>("POST", "/api/logs", {
      project: "workflow-replies",
      output: "We guarantee a refund.",
      sync: true,
      traceparent: `00-${TRACE_ID}-${POSTING_SPAN}-01`,
    });
    expect(posted.body.status).toBe("flagged");

    await page.goto(`/logs/${posted.body.id}`);
    await page.getByTestId("linked-trace").getByRole("link", { name: "Part of workflow trace Support workflow →" }).click();
    await page.waitForURL((url) => url.pathname === `/logs/${TRACE_ID}` && url.searchParams.get("span") === POSTING_SPAN);
    // The trace opens on the posting step, flagged by the log's verdict.
    const panel = page.getByTestId("span-panel");
    await expect(panel.getAttribute("data-span-id")).resolves.toBe(POSTING_SPAN);
    await expect(row(POSTING_SPAN).getAttribute("data-flagged")).resolves.toBe("true");
    await expect(page.getByTestId("trace-flagged-at").textContent()).resolves.toContain("Flagged at step Tracira");
    await expect(row("5555666677778888").getAttribute("aria-level")).resolves.toBe("1");
    await expect(row("5555666677778888").getAttribute("aria-label")).resolves.toBe("Late tool (tool, running)");
    const verdict = panel.locator(`[data-evaluation-id="log:${posted.body.id}"]`);
    await expect(verdict.locator(".badge").textContent()).resolves.toBe("flagged");
    await verdict.getByRole("link", { name: "Open log →" }).click();
    await page.waitForURL((url) => url.pathname === `/logs/${posted.body.id}`);
  });
});
