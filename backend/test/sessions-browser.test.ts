import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, newPage, SCREENSHOTS, signUp } from "./helpers/browser";
import { startServerProcess, type ServerProcess } from "./helpers/process";
import { callerFor, type Call } from "./helpers/server";
import { until } from "./helpers/until";

/**
 * The Sessions pages and the logs page's filter builder in a real browser (Debian's chromium, driven by
 * playwright-core) against the built server on the embedded default. Everything shown is seeded through
 * the public API; the expected figures are worked out here from the seeds.
 *
 * Project "support-bot":
 * - `chat-42`, three turns posted out of order (turn 3 first): each an agent root with one LLM call
 *   (turn k: 100k input and 20k output tokens); turns 1 and 2 call the tool `lookup_order`, which fails in
 *   turn 2. Root durations 2 s, 3 s, 1 s.
 * - `chat-7`, one log without spans (latency 4 s).
 * Each log has a caller's `helpfulness` evaluation: 0.9, 0.3, 0.8 for turns 1–3, 0.95 for chat-7.
 */

const ADMIN = { email: "ana@example.com", password: "correct horse battery", name: "Ana" };
const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const at = (ms: number) => new Date(T0 + ms).toISOString();

let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let page: Page;
let projectId: string;
/** chat-42's log ids in turn order. */
const turns: string[] = [];
let plainLog: string;

jest.setTimeout(120_000);

/** The public REST API with the workspace token the first start printed. */
const rest: Call = (method, apiPath, body, options) => callerFor(server.url, server.printedToken!)(method, apiPath, body, options);

/** Turn k of chat-42 (1-based): starts k minutes in. */
function turnLog(k: number) {
  const start = k * 60_000;
  const duration = [2_000, 3_000, 1_000][k - 1]!;
  const spans: Record<string, unknown>[] = [
    { id: "turn", kind: "agent", name: "agent-turn", startedAt: at(start), endedAt: at(start + duration) },
    {
      id: "answer",
      parentSpanId: "turn",
      kind: "llm",
      name: "answer",
      provider: "openai",
      model: "gpt-4o-mini",
      startedAt: at(start + 100),
      endedAt: at(start + 600),
      inputTokens: 100 * k,
      outputTokens: 20 * k,
      costUsd: 0.001 * k,
    },
  ];
  if (k < 3) {
    spans.push({
      id: "lookup",
      parentSpanId: "turn",
      kind: "tool",
      name: "lookup_order",
      startedAt: at(start + 700),
      endedAt: at(start + 900),
      ...(k === 2 ? { error: { message: "Order 1002 not found" } } : { output: { status: "shipped" } }),
    });
  }
  return { project: "support-bot", sessionId: "chat-42", output: `Answer of turn ${k}`, timestamp: at(start), spans };
}

const helpfulness = (id: string, score: number) =>
  rest("POST", `/api/logs/${id}/evaluations`, { evaluations: [{ id: `help-${id}`, evaluator: "team.judge", name: "helpfulness", score }] });

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-sessions-browser-"));
  server = await startServerProcess({ TRACIRA_DATA_DIR: dataDir });
  page = await newPage(browser, server.url);

  const ids = new Map<number, string>();
  for (const k of [3, 1, 2]) {
    const res = await rest<{ id: string }>("POST", "/api/logs", turnLog(k));
    expect(res.status).toBe(200);
    ids.set(k, res.body.id);
  }
  turns.push(ids.get(1)!, ids.get(2)!, ids.get(3)!);
  const plain = await rest<{ id: string }>("POST", "/api/logs", {
    project: "support-bot",
    sessionId: "chat-7",
    output: "Hello again",
    latencyMs: 4_000,
  });
  plainLog = plain.body.id;
  for (const [id, score] of [...turns.map((id, i) => [id, [0.9, 0.3, 0.8][i]!] as const), [plainLog, 0.95] as const]) {
    expect((await helpfulness(id, score)).body).toMatchObject({ stored: 1 });
  }
  projectId = (await rest<{ id: string; name: string }[]>("GET", "/api/projects")).body.find((p) => p.name === "support-bot")!.id;
  await signUp(page, { ...ADMIN, claimToken: server.printedToken! });
});

afterAll(async () => {
  await browser?.close();
  await server?.kill("SIGTERM");
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const kpi = (label: string) => page.getByTestId("kpi").filter({ has: page.locator(".kpi-label", { hasText: label }) });

test("the Sessions view lists the project's sessions with their rollups, from the side nav and from the project card", async () => {
  await page.getByRole("link", { name: "Sessions" }).click();
  const rows = page.getByTestId("session-row");
  await rows.first().waitFor();
  // Latest activity first: chat-7 was sent now, chat-42's turns are in May.
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-session-id")))).toEqual(["chat-7", "chat-42"]);
  const chat = page.locator('[data-testid="session-row"][data-session-id="chat-42"]');
  const cells = await chat.locator("td").allTextContents();
  // Session, turns, first, last, latency, tokens in/out, cost, LLM/tool calls, errors, status.
  expect(cells[0]).toBe("chat-42");
  expect(cells[1]).toBe("3");
  expect(cells[4]).toBe("6.00 s");
  expect(cells[5]).toBe("600 / 120");
  expect(cells[7]).toBe("3 / 2");
  expect(cells[8]).toBe("1");
  await page.screenshot({ path: path.join(SCREENSHOTS, "sessions-list.png"), fullPage: true });

  await page.getByRole("link", { name: "Projects" }).click();
  await page.getByTestId("project").filter({ hasText: "support-bot" }).getByRole("link", { name: "Sessions" }).click();
  await page.waitForURL((url) => url.pathname === "/sessions" && url.searchParams.get("project") === projectId);
  await rows.first().waitFor();
});

test("a session shows its metrics, its turns in order linking to their logs, the analysis, and downloads its CSV", async () => {
  await page.locator('[data-testid="session-row"][data-session-id="chat-42"]').getByRole("link", { name: "chat-42" }).click();
  await page.waitForURL((url) => url.pathname === `/sessions/${projectId}/chat-42`);

  await kpi("Turns").getByText("3", { exact: true }).waitFor();
  // 2 s + 3 s + 1 s of turns; 600 input + 120 output tokens; two tool calls, one failed.
  await kpi("Total latency").getByText("6.00 s", { exact: true }).waitFor();
  await kpi("Tokens").getByText("720", { exact: true }).waitFor();
  await kpi("Tokens").getByText("600 in · 120 out · 0 cached").waitFor();
  await kpi("LLM calls").getByText("3", { exact: true }).waitFor();
  await kpi("Tool calls").getByText("2", { exact: true }).waitFor();
  await kpi("Tool calls").getByText("50% succeeded (1 failed)").waitFor();

  const turnRows = page.getByTestId("session-turn");
  expect(await turnRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-trace-id")))).toEqual(turns);
  expect(await turnRows.locator("td:first-child").allTextContents()).toEqual(["1", "2", "3"]);
  const link = turnRows.nth(1).getByRole("link", { name: "support-bot" });
  expect(await link.getAttribute("href")).toBe(`/logs/${turns[1]}`);

  // The analysis' findings as the session API gives them.
  const analysis = await rest<{ errorPatterns: { reason: string }[] }>("GET", `/api/projects/${projectId}/sessions/chat-42/analysis`);
  expect(analysis.body.errorPatterns.length).toBeGreaterThan(0);
  for (const pattern of analysis.body.errorPatterns) await page.getByTestId("session-analysis").getByText(pattern.reason).waitFor();
  await page.screenshot({ path: path.join(SCREENSHOTS, "session-detail.png"), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toBe("sessions-support-bot.csv");
  const csv = fs.readFileSync((await download.path())!, "utf8");
  const lines = csv.trimEnd().split("\r\n");
  expect(lines[0]).toBe(
    "sessionId,traceId,turn,spanId,parentSpanId,eventType,decisionKind,kind,name,status,startedAt,endedAt,durationMs,provider,model," +
      "inputTokens,outputTokens,cachedInputTokens,costUsd,input,output,error,attributes,synthesized",
  );
  // One row per event: 3 + 3 + 2 spans, all of chat-42, in turn order.
  expect(lines).toHaveLength(1 + 8);
  expect(lines.slice(1).map((line) => line.split(",").slice(0, 3).join(","))).toEqual([
    ...Array(3).fill(`chat-42,${turns[0]},1`),
    ...Array(3).fill(`chat-42,${turns[1]},2`),
    ...Array(2).fill(`chat-42,${turns[2]},3`),
  ]);

  // "Open in Logs": the session's logs, as a typed filter on the Logs page.
  await page.getByRole("link", { name: "Open in Logs" }).click();
  await page.getByTestId("filter-chip").filter({ hasText: "sessionId = chat-42" }).waitFor();
  await until("the session's three logs", async () => ((await page.getByTestId("log-row").count()) === 3 ? true : undefined));
  expect(await page.getByTestId("log-row").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-log-id")).sort())).toEqual(
    [...turns].sort(),
  );
});

test("the logs page's filter builder: an evaluation score and a latency filter, kept in the URL across a reload", async () => {
  await page.getByRole("link", { name: "Logs" }).click();
  const rows = page.getByTestId("log-row");
  const rowCount = (n: number) => until(`${n} log rows`, async () => ((await rows.count()) === n ? true : undefined));
  await rowCount(4);
  expect(await page.getByTestId("filter-chip").count()).toBe(0);

  // helpfulness ≥ 0.5 leaves turns 1 and 3 and chat-7; latency < 2500 ms then drops chat-7 (4 s).
  await page.getByLabel("Column").selectOption("evaluations.helpfulness");
  await page.getByLabel("Operator").selectOption("gte");
  await page.getByLabel("Value").fill("0.5");
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.getByLabel("Column").selectOption("latency");
  await page.getByLabel("Operator").selectOption("lt");
  await page.getByLabel("Value").fill("2500");
  await page.getByRole("button", { name: "Add filter" }).click();

  const expected = [turns[0], turns[2]].sort();
  const shown = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-log-id")).sort());
  const chips = page.getByTestId("filter-chip");
  const waitForRows = async () => {
    await rowCount(2);
    expect(await shown()).toEqual(expected);
    expect(await chips.allTextContents()).toEqual(["evaluations.helpfulness ≥ 0.5×", "latency < 2500×"]);
  };
  await waitForRows();
  // The callers' scores are shown in the list.
  await page.locator(`[data-testid="log-row"][data-log-id="${turns[0]}"]`).getByText("helpfulness 0.90").waitFor();
  const url = new URL(page.url());
  expect(JSON.parse(url.searchParams.get("filters")!)).toEqual([
    { column: "evaluations.helpfulness", operator: "gte", value: 0.5 },
    { column: "latency", operator: "lt", value: 2500 },
  ]);
  await page.screenshot({ path: path.join(SCREENSHOTS, "logs-filter-builder.png"), fullPage: true });

  await page.reload();
  await rows.first().waitFor();
  await waitForRows();

  // Removing a chip widens the list again.
  await page.getByRole("button", { name: "Remove filter latency < 2500" }).click();
  await rowCount(3);
  for (const name of ["sessions-list", "session-detail", "logs-filter-builder"]) {
    expect(fs.statSync(path.join(SCREENSHOTS, `${name}.png`)).size).toBeGreaterThan(10_000);
  }
});

test("the sessions page by the list's cursor (the cursor in the URL survives a reload) and searches session ids", async () => {
  for (let i = 1; i <= 27; i++) {
    const sessionId = `batch-${String(i).padStart(2, "0")}`;
    expect((await rest("POST", "/api/logs", { project: "batch-bot", sessionId, output: "ok", timestamp: at(i * 1_000) })).status).toBe(200);
  }
  const batchBot = (await rest<{ id: string; name: string }[]>("GET", "/api/projects")).body.find((p) => p.name === "batch-bot")!.id;
  const rows = page.getByTestId("session-row");
  const shown = (what: string, want: string[]) =>
    until(what, async () => {
      const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-session-id")));
      return JSON.stringify(ids) === JSON.stringify(want) ? ids : undefined;
    });
  const batch = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => `batch-${String(from - i).padStart(2, "0")}`);

  await page.goto(`/sessions?project=${batchBot}`);
  await shown("page 1", batch(27, 3));
  await page.getByRole("button", { name: "Next" }).click();
  await shown("page 2", batch(2, 1));
  expect(new URL(page.url()).searchParams.get("cursor")).toMatch(/\|batch-03$/);
  await page.reload();
  await shown("page 2 after a reload", batch(2, 1));
  await page.getByRole("button", { name: "First page" }).click();
  await shown("page 1 again", batch(27, 3));
  await page.getByLabel("Session id").fill("batch-1");
  await shown("the search", batch(19, 10));
});
