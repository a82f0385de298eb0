import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, newPage as pageOn, SCREENSHOTS, signUp } from "./helpers/browser";
import { startServerProcess, type ServerProcess } from "./helpers/process";
import { callerFor, type Call } from "./helpers/server";

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against the built server
 * started as `npm start` starts it: the embedded default, whose first start prints the token.
 */
const ADMIN = { email: "ana@example.com", password: "correct horse battery", name: "Ana" };
const MEMBER = { email: "ben@example.com", password: "another long password", name: "Ben" };

let dataDir: string;
let server: ServerProcess;
let browser: Browser;
let admin: Page;
let token: string;

jest.setTimeout(120_000);

beforeAll(async () => {
  browser = await launchChromium();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-browser-"));
  server = await startServerProcess({ TRACIRA_DATA_DIR: dataDir });
  admin = await newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.kill("SIGTERM");
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const newPage = () => pageOn(browser, server.url);

/** The REST API with the token the Integrations page shows. */
const rest: Call = (method, apiPath, body, options) => callerFor(server.url, token)(method, apiPath, body, options);

/** A procedure called from inside the page, as the dashboard's own code would (same cookie, same header). */
function callProcedure(page: Page, procedure: string, kind: "query" | "mutation") {
  return page.evaluate(
    async ({ procedure, kind }) => {
      const headers = { "x-tracira-csrf": "1", "content-type": "application/json" };
      const res =
        kind === "query"
          ? await fetch(`/trpc/${procedure}`, { headers })
          : await fetch(`/trpc/${procedure}`, { method: "POST", headers, body: "{}" });
      return { status: res.status, body: (await res.json()) as any };
    },
    { procedure, kind },
  );
}

test("the first start prints a token and tells where the dashboard is", () => {
  expect(server.printedToken).toMatch(/^wh-/);
  expect(server.stdout()).toContain(`Dashboard: ${server.url}/`);
});

test("sign up, find the printed token on the Integrations page, send a log by REST, approve it from the review queue by keyboard", async () => {
  await signUp(admin, { ...ADMIN, claimToken: server.printedToken });
  await admin.getByRole("link", { name: "Settings" }).click();
  await admin.goto("/settings/integrations");
  const shown = admin.getByTestId("webhook-token");
  await shown.waitFor();
  token = (await shown.textContent())!.trim();
  expect(token).toBe(server.printedToken);

  expect(
    (await rest("POST", "/api/rules", { name: "No refund promises", type: "keyword_forbidden", value: "refund, guarantee" })).status,
  ).toBe(201);
  const sent = await rest<{ id: string; status: string }>("POST", "/api/logs", {
    project: "support-replies",
    task: "Reply drafter",
    model: "gpt-4o-mini",
    input: "Where is my order?",
    output: "We guarantee a full refund if it does not arrive tomorrow.",
    sync: true,
  });
  expect(sent.body.status).toBe("flagged");

  await admin.getByRole("link", { name: "Review queue" }).click();
  const item = admin.locator(`[data-testid="queue-item"][data-log-id="${sent.body.id}"]`);
  await item.waitFor();
  await expect(item.getAttribute("aria-selected")).resolves.toBe("true");
  await admin.screenshot({ path: path.join(SCREENSHOTS, "review-queue.png"), fullPage: true });

  // The queue moves on at once (optimistically); the decision is stored when its call answers.
  const decided = admin.waitForResponse((res) => new URL(res.url()).pathname.startsWith("/trpc/logs.decide"));
  await admin.keyboard.press("a");
  await item.waitFor({ state: "detached" });
  expect((await decided).status()).toBe(200);
  const log = await rest("GET", `/api/logs/${sent.body.id}`);
  expect(log.body).toMatchObject({ humanDecision: "approved", decisionSource: "dashboard", decidedBy: ADMIN.email });
});

test("the log detail and the overview render what the API holds (screenshots for the README)", async () => {
  await rest("POST", "/api/logs", { project: "support-replies", output: "Thanks, your order ships today.", sync: true });
  await rest("POST", "/api/logs", { project: "support-replies", task: "Reply drafter", output: "Refund guaranteed!", sync: true });
  await rest("POST", "/api/logs", { project: "lead-scoring", output: '{"score": 0.82, "reason": "fits the profile"}', sync: true });
  const { body } = await rest<{ executions: { id: string; humanDecision: string | null }[] }>(
    "GET",
    "/api/logs?project=support-replies&sortDir=asc",
  );
  const decided = body.executions.find((l) => l.humanDecision === "approved")!;

  await admin.goto(`/logs/${decided.id}`);
  await admin.getByText("We guarantee a full refund", { exact: false }).first().waitFor();
  await admin.getByText("dashboard", { exact: false }).first().waitFor();
  await admin.screenshot({ path: path.join(SCREENSHOTS, "log-detail.png"), fullPage: true });

  expect((await rest("PATCH", "/api/settings", { estimatedIncidentCostUsd: 250 })).status).toBe(200);
  await admin.getByRole("link", { name: "Overview" }).click();
  const kpis = admin.getByTestId("kpi");
  await kpis.filter({ hasText: "Total runs" }).getByText("4", { exact: true }).waitFor();
  // Two flagged runs × $250 per incident.
  await kpis.filter({ hasText: "Incident cost avoided" }).getByText("$500", { exact: false }).waitFor();
  await admin.getByTestId("runs-chart").waitFor();
  await admin.screenshot({ path: path.join(SCREENSHOTS, "overview.png"), fullPage: true });
  for (const name of ["overview", "review-queue", "log-detail"]) {
    expect(fs.statSync(path.join(SCREENSHOTS, `${name}.png`)).size).toBeGreaterThan(10_000);
  }
});

test("a member joins by invite link and cannot open Settings or rotate the token (403 from the procedure, hidden in the UI)", async () => {
  const invite = await callProcedure(admin, "members.invite", "mutation");
  expect(invite.status).toBe(200);
  const link = new URL(invite.body.result.data.url, server.url);

  const member = await newPage();
  await signUp(member, MEMBER, link.pathname + link.search);
  await member.getByRole("link", { name: "Review queue" }).waitFor();
  expect(await member.getByRole("link", { name: "Settings" }).count()).toBe(0);

  await member.goto("/settings");
  await member.getByText(/only workspace admins/i).waitFor();

  for (const [procedure, kind] of [
    ["settings.get", "query"],
    ["settings.webhookToken", "query"],
    ["settings.rotateToken", "mutation"],
  ] as const) {
    const res = await callProcedure(member, procedure, kind);
    expect(res.status).toBe(403);
    expect(res.body.error.data).toMatchObject({ apiCode: "forbidden", httpStatus: 403 });
  }
  expect((await rest("GET", "/api/verify")).status).toBe(200);

  // The admin sees the new member, with the controls only admins get.
  await admin.goto("/settings/members");
  const row = admin.getByTestId("members").getByRole("row").filter({ hasText: MEMBER.email });
  await row.getByRole("button", { name: "Make admin" }).waitFor();
  expect(await member.getByRole("button", { name: "Make admin" }).count()).toBe(0);

  // Judges: choosing a default provider is saved through settings.update.
  await admin.goto("/settings/judges");
  await admin.getByLabel("Default judge provider").selectOption("anthropic");
  const saved = admin.waitForResponse((res) => new URL(res.url()).pathname.startsWith("/trpc/settings.update"));
  await admin.getByRole("button", { name: "Save judges" }).click();
  expect((await saved).status()).toBe(200);
  expect((await rest("GET", "/api/settings")).body.defaultJudgeProvider).toBe("anthropic");
});
