import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { Delivery } from "@tracira/shared";
import { SecretBox } from "../src/secrets/secret-box";
import { parseSecretKey } from "../src/secrets/secret-key";
import { freePort } from "./helpers/redis";
import { startReceiver, type Answer, type Receiver } from "./helpers/receiver";
import { startTestServerOn, TEST_ENV, type TestServer } from "./helpers/server";
import { FAST_DELIVERIES as FAST, sleep, statusRules, OUTPUTS, type Status } from "./helpers/deliveries";

/**
 * Slack, e-mail and the outbound webhook end to end (real HTTP and SMTP servers on 127.0.0.1), and how the
 * sender treats each kind of failure. Back-off is shortened so retries happen within the test.
 */
jest.setTimeout(60_000);

/** Sends a log synchronously and checks it ended with `status`; returns the sync answer. */
async function sendLog(server: TestServer, status: Status, body: Record<string, unknown>) {
  const res = await server.call("POST", "/api/logs", { ...OUTPUTS[status], ...body, sync: true });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe(status);
  return res.body as { id: string; status: Status; explanation: string | null };
}

async function deliveries(server: TestServer, query = ""): Promise<Delivery[]> {
  const res = await server.call("GET", `/api/deliveries?limit=100${query}`);
  expect(res.status).toBe(200);
  return res.body.deliveries;
}

/** Polls `GET /api/deliveries` until a delivery matching `pick` has left `pending`. */
async function settled(server: TestServer, pick: (d: Delivery) => boolean, query = "", timeoutMs = 20_000): Promise<Delivery> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = (await deliveries(server, query)).find(pick);
    if (found && found.status !== "pending") return found;
    if (Date.now() > end) throw new Error(`delivery still ${found?.status ?? "missing"} after ${timeoutMs} ms: ${JSON.stringify(found)}`);
    await sleep(50);
  }
}
const ofLog = (server: TestServer, logId: string, kind: Delivery["kind"]) =>
  settled(server, (d) => d.kind === kind, `&logId=${encodeURIComponent(logId)}`);

async function patchSettings(server: TestServer, body: Record<string, unknown>) {
  const res = await server.call("PATCH", "/api/settings", body);
  expect(res.status).toBe(200);
}

/**
 * Slack URLs must be https:// (the settings contract), and test receivers speak plain HTTP: the URL is
 * sealed and stored the way `PATCH /api/settings` stores it.
 */
async function storeSlackUrl(server: TestServer, url: string) {
  const workspaceId: string = (await server.call("GET", "/api/settings")).body.id;
  const sealed = new SecretBox(parseSecretKey(TEST_ENV.TRACIRA_SECRET_KEY!)!).seal(url, `${workspaceId}:slackWebhookUrl`);
  await server.running.deps.db.sql.query(`UPDATE workspaces SET slack_webhook_url_encrypted = $2 WHERE id = $1`, [workspaceId, sealed]);
}

/** Every `text` string of a Slack message (top-level text and blocks), as one readable string. */
function slackText(message: unknown): string {
  const texts: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "text" && typeof x === "string") texts.push(x);
        else walk(x);
      }
    }
  };
  walk(message);
  return texts.join("\n");
}

/** Checks `X-Tracira-Signature` against the documented algorithm. */
function signatureValid(secret: string, header: unknown, raw: string): boolean {
  const { t, v1 } = Object.fromEntries(
    String(header)
      .split(",")
      .map((kv) => kv.split("=") as [string, string]),
  );
  return createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex") === v1;
}

// ---------- a real SMTP server ----------

interface Mail {
  to: string[];
  subject: string;
  text: string;
}

interface Smtp {
  port: number;
  mails: Mail[];
  /** Every RCPT TO with the code answered (250 when accepted). */
  rcpts: { to: string; code: number }[];
  /** Answers RCPT TO with this code (an error when ≥ 400) instead of accepting. */
  answerRcpt(fn: (to: string, n: number) => number): void;
  close(): Promise<void>;
}

async function startSmtp(): Promise<Smtp> {
  const mails: Mail[] = [];
  const rcpts: { to: string; code: number }[] = [];
  let answer: (to: string, n: number) => number = () => 250;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = answer(address.address, rcpts.filter((r) => r.to === address.address).length + 1);
      rcpts.push({ to: address.address, code });
      if (code < 400) return callback();
      callback(Object.assign(new Error(code >= 500 ? "No such mailbox" : "Try again later"), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), ...parseMail(Buffer.concat(chunks).toString("utf8")) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    rcpts,
    answerRcpt(fn) {
      answer = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Just enough MIME for a single-part text mail: unfolded headers, body decoded per its transfer encoding. */
function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, split).replace(/\r\n(?=[ \t])/g, "");
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "im").exec(head)?.[1]?.trim() ?? "";
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  const text =
    encoding === "quoted-printable"
      ? Buffer.from(
          body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
          "latin1",
        ).toString("utf8")
      : encoding === "base64"
        ? Buffer.from(body, "base64").toString("utf8")
        : body;
  return { subject: header("Subject"), text };
}

// ---------- Slack ----------

describe("Slack alerts", () => {
  let server: TestServer;
  let receiver: Receiver;
  let publicUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    server = await startTestServerOn("postgres", { ...FAST, PORT: String(port), PUBLIC_URL: publicUrl });
    receiver = await startReceiver();
    await statusRules(server);
    await patchSettings(server, { slackNotificationsEnabled: true, notifyOnFlag: true, notifyOnFail: false });
    await storeSlackUrl(server, `${receiver.url}/slack`);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });
  const mentioning = (id: string) => receiver.received.filter((r) => slackText(r.body).includes(id));

  test("a flagged log posts one message naming the status, project/task, rules and explanation, linking to the log", async () => {
    const log = await sendLog(server, "flagged", { project: "support", task: "refunds", id: "slack-1" });
    expect(log.explanation).toBeTruthy();
    await receiver.waitFor((r) => r.length >= 1);
    await sleep(300); // a duplicate would arrive now
    expect(receiver.received).toHaveLength(1);
    const [message] = receiver.received;
    expect(message!.path).toBe("/slack");
    expect(message!.headers["content-type"]).toMatch(/application\/json/);
    expect(message!.body.text).toContain("Flagged: support / refunds");
    const text = slackText(message!.body);
    expect(text).toContain("flagged");
    expect(text).toContain("support / refunds");
    expect(text).toContain("No BAD");
    expect(text).toContain(log.explanation);
    expect(text).toContain(`${publicUrl}/logs/slack-1`);
    expect(message!.raw).not.toContain("This is BAD."); // the output itself stays out of the channel
  });

  test("an errored log posts nothing when notifyOnFail is off", async () => {
    await sendLog(server, "error", { project: "support", id: "slack-error" });
    await sleep(400);
    expect((await deliveries(server, "&logId=slack-error")).filter((d) => d.kind === "slack")).toEqual([]);
    expect(mentioning("slack-error")).toEqual([]);
  });

  test("a passing log posts nothing", async () => {
    await sendLog(server, "pass", { project: "support", id: "slack-pass" });
    await sleep(400);
    expect((await deliveries(server, "&logId=slack-pass")).filter((d) => d.kind === "slack")).toEqual([]);
    expect(mentioning("slack-pass")).toEqual([]);
  });

  test("GET /api/settings shows the Slack URL masked, and GET /api/deliveries never shows it", async () => {
    const secretUrl = `${receiver.url}/slack`;
    const settings = await server.call("GET", "/api/settings");
    expect(settings.body.slackWebhookUrl).toMatch(/…/);
    expect(settings.body.slackWebhookUrl).not.toBe(secretUrl);
    expect(settings.body.slackWebhookUrl).not.toContain("/slack");

    const slack = await ofLog(server, "slack-1", "slack");
    expect(slack).toMatchObject({ kind: "slack", event: "log.evaluated", status: "succeeded", attemptCount: 1 });
    expect(slack.target).toMatch(/Slack/);
    expect(JSON.stringify(await deliveries(server))).not.toContain(secretUrl);
  });
});

// ---------- e-mail ----------

describe("e-mail alerts over SMTP", () => {
  let server: TestServer;
  let smtp: Smtp;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServerOn("postgres", {
      ...FAST,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SMTP_FROM: "Tracira <alerts@tracira.test>",
    });
    await statusRules(server);
    await patchSettings(server, {
      emailNotificationsEnabled: true,
      notificationEmail: "ops@example.com",
      emailOnFlag: true,
      emailOnFail: true,
    });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });
  const mailsAbout = (id: string) => smtp.mails.filter((m) => m.text.includes(id));
  const waitForMail = async (id: string) => {
    const end = Date.now() + 20_000;
    while (!mailsAbout(id).length) {
      if (Date.now() > end) throw new Error(`no mail about ${id}`);
      await sleep(25);
    }
    await sleep(300); // a duplicate would arrive now
    return mailsAbout(id);
  };

  test("a flagged log sends one mail to the workspace address naming status, project, rules and explanation", async () => {
    const log = await sendLog(server, "flagged", { project: "mail-alerts", task: "signup", id: "mail-flagged" });
    const mails = await waitForMail("mail-flagged");
    expect(mails).toHaveLength(1);
    const [mail] = mails;

    expect(mail!.to).toEqual(["ops@example.com"]);
    expect(mail!.subject).toBe("[Tracira] Flagged: mail-alerts / signup");
    expect(mail!.text).toContain("Status: flagged");
    expect(mail!.text).toContain("Project: mail-alerts / signup");
    expect(mail!.text).toContain("Triggered rules: No BAD");
    expect(mail!.text).toContain(log.explanation);
  });

  test("an errored log sends one mail too (emailOnFail)", async () => {
    const log = await sendLog(server, "error", { project: "mail-alerts", id: "mail-error" });
    const mails = await waitForMail("mail-error");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("[Tracira] Evaluation error: mail-alerts / judge");
    expect(mails[0]!.text).toContain("Status: error");
    expect(mails[0]!.text).toContain("Rules with errors: Judge");
    if (log.explanation) expect(mails[0]!.text).toContain(log.explanation);
    expect(await ofLog(server, "mail-error", "email")).toMatchObject({ status: "succeeded", target: "ops@example.com", attemptCount: 1 });
  });

  test("a passing log sends no mail", async () => {
    await sendLog(server, "pass", { project: "mail-alerts", id: "mail-pass" });
    await sleep(400);
    expect((await deliveries(server, "&logId=mail-pass")).filter((d) => d.kind === "email")).toEqual([]);
    expect(mailsAbout("mail-pass")).toEqual([]);
  });

  test("an SMTP server answering 550 fails the delivery at once, without retrying", async () => {
    await patchSettings(server, { notificationEmail: "nobody@example.com" });
    smtp.answerRcpt((to) => (to === "nobody@example.com" ? 550 : 250));
    await sendLog(server, "flagged", { project: "mail-alerts", id: "mail-550" });
    const email = await ofLog(server, "mail-550", "email");
    expect(email.status).toBe("failed");
    expect(email.attempts).toEqual([expect.objectContaining({ responseStatus: 550, error: expect.stringMatching(/^SMTP: /) })]);
    await sleep(500);
    expect(smtp.rcpts.filter((r) => r.to === "nobody@example.com")).toHaveLength(1);
  });

  test("an SMTP server answering 451 (try later) is retried until it accepts", async () => {
    await patchSettings(server, { notificationEmail: "busy@example.com" });
    smtp.answerRcpt((to, n) => (to === "busy@example.com" && n === 1 ? 451 : 250));
    await sendLog(server, "flagged", { project: "mail-alerts", id: "mail-451" });
    const email = await ofLog(server, "mail-451", "email");
    expect(email.status).toBe("succeeded");
    expect(email.attempts.map((a) => a.responseStatus)).toEqual([451, null]);
    expect(mailsAbout("mail-451")).toHaveLength(1);
  });
});

describe("e-mail alerts on a server without SMTP_URL", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", FAST);
    await statusRules(server);
    await patchSettings(server, { emailNotificationsEnabled: true, notificationEmail: "ops@example.com", emailOnFlag: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  test("the delivery fails at once with an error naming SMTP_URL", async () => {
    await sendLog(server, "flagged", { project: "no-smtp", id: "no-smtp" });
    const email = await ofLog(server, "no-smtp", "email");
    expect(email.status).toBe("failed");
    expect(email.lastError).toMatch(/SMTP_URL/);
    expect(email.attempts).toHaveLength(1);
    await sleep(400);
    expect((await ofLog(server, "no-smtp", "email")).attempts).toHaveLength(1);
  });
});

// ---------- outbound webhook ----------

describe("the outbound webhook", () => {
  let server: TestServer;
  let receiver: Receiver;
  let secret: string;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", FAST);
    receiver = await startReceiver();
    await statusRules(server);
    // The workspace signing secret (callbacks and the outbound webhook), as an admin reads it.
    secret = (await server.call("GET", "/api/settings/signing-secret")).body.signingSecret;
    expect(secret).toMatch(/^whsec_/);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  /** Sends a passing, a flagged and an errored log, then decides the passing one; returns what /out got for them. */
  async function everyKindOfEvent(prefix: string) {
    for (const status of ["pass", "flagged", "error"] as const)
      await sendLog(server, status, { project: "webhook", id: `${prefix}-${status}` });
    expect((await server.call("PATCH", `/api/logs/${prefix}-pass/decision`, { decision: "approved" })).status).toBe(200);
    return () => receiver.received.filter((r) => r.path === "/out" && String(r.body.id).startsWith(`${prefix}-`));
  }

  test("with events [log.flagged, log.decided] it gets flagged evaluations and decisions only, signed", async () => {
    await patchSettings(server, {
      webhookEnabled: true,
      outboundWebhookUrl: `${receiver.url}/out`,
      outboundWebhookEvents: ["log.flagged", "log.decided"],
    });
    const got = await everyKindOfEvent("some");
    await receiver.waitFor(() => got().length >= 2);
    await sleep(400);
    expect(
      got()
        .map((r) => `${r.body.event} ${r.body.id}`)
        .sort(),
    ).toEqual(["log.decided some-pass", "log.evaluated some-flagged"]);
    for (const r of got()) {
      expect(r.headers["x-tracira-event"]).toBe(r.body.event);
      expect(r.headers["x-tracira-delivery"]).toBe(r.body.deliveryId);
      expect(signatureValid(secret, r.headers["x-tracira-signature"], r.raw)).toBe(true);
    }
  });

  test("with an empty event list it gets every event", async () => {
    await patchSettings(server, { outboundWebhookEvents: [] });
    const got = await everyKindOfEvent("all");
    await receiver.waitFor(() => got().length >= 4);
    await sleep(400);
    expect(
      got()
        .map((r) => `${r.body.event} ${r.body.id}`)
        .sort(),
    ).toEqual(["log.decided all-pass", "log.evaluated all-error", "log.evaluated all-flagged", "log.evaluated all-pass"]);
    for (const r of got()) expect(signatureValid(secret, r.headers["x-tracira-signature"], r.raw)).toBe(true);
  });
});

// ---------- failures, through the sender ----------

/**
 * A receiver whose answer is scripted per path (`script(path, n => answer)`, n counting from 1), and that
 * notes when each request came in.
 */
function scripted(receiver: Receiver) {
  const scripts = new Map<string, (n: number) => Answer>();
  const seen = new Map<string, number[]>();
  receiver.respond((req) => {
    const times = seen.get(req.path) ?? [];
    times.push(Date.now());
    seen.set(req.path, times);
    return scripts.get(req.path)?.(times.length) ?? { status: 200 };
  });
  return {
    script: (path: string, fn: (n: number) => Answer) => scripts.set(path, fn),
    /** When each request to `path` came in (also requests left unanswered). */
    times: (path: string) => seen.get(path) ?? [],
  };
}

describe("failure handling", () => {
  let server: TestServer;
  let receiver: Receiver;
  let receiving: ReturnType<typeof scripted>;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", FAST);
    receiver = await startReceiver();
    receiving = scripted(receiver);
    await statusRules(server);
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });
  /** A passing log whose callback goes to `path` on the receiver; returns its callback delivery once settled. */
  const callbackTo = async (path: string) => {
    const id = `cb${path.replace(/\//g, "-")}`;
    await sendLog(server, "pass", { project: "failures", id, callbackUrl: `${receiver.url}${path}`, callbackEvents: "all" });
    return ofLog(server, id, "callback");
  };

  test.each([404, 400])("%i fails the delivery after one attempt, never retried", async (status) => {
    receiving.script(`/r${status}`, () => ({ status, body: "no such workflow" }));
    const d = await callbackTo(`/r${status}`);
    expect(d.status).toBe("failed");
    expect(d.attempts).toEqual([expect.objectContaining({ attemptNumber: 1, responseStatus: status })]);
    expect(d.lastError).toContain(String(status));
    expect(d.lastError).toContain("no such workflow");
    expect(d.nextAttemptAt).toBeNull();
    await sleep(500);
    expect(receiving.times(`/r${status}`)).toHaveLength(1);
  });

  test("500 then 200 succeeds on the second attempt", async () => {
    receiving.script("/r500", (n) => ({ status: n === 1 ? 500 : 200 }));
    const d = await callbackTo("/r500");
    expect(d.status).toBe("succeeded");
    expect(d.attempts.map((a) => a.responseStatus)).toEqual([500, 200]);
    expect(d.deliveredAt).not.toBeNull();
  });

  test("429 with Retry-After: 1 waits a second before the next attempt, over the short back-off", async () => {
    receiving.script("/r429", (n) => (n === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 }));
    const d = await callbackTo("/r429");
    expect(d.status).toBe("succeeded");
    expect(d.attempts.map((a) => a.responseStatus)).toEqual([429, 200]);
    const [first, second] = receiving.times("/r429");
    expect(second! - first!).toBeGreaterThanOrEqual(900);
  });

  test("410 Gone from a hook fails the delivery, removes the hook, and nothing more reaches its URL", async () => {
    receiving.script("/gone", () => ({ status: 410 }));
    const hook = await server.call("POST", "/api/hooks", { url: `${receiver.url}/gone`, events: ["log.evaluated"], project: "gone" });
    expect(hook.status).toBe(201);
    await sendLog(server, "pass", { project: "gone", id: "gone-1" });
    const d = await ofLog(server, "gone-1", "hook");
    expect(d.status).toBe("failed");
    expect(d.attempts).toEqual([expect.objectContaining({ responseStatus: 410 })]);
    expect(d.lastError).toMatch(/410/);

    const hooks = await server.call("GET", "/api/hooks");
    expect(hooks.body.hooks.map((h: { id: string }) => h.id)).not.toContain(hook.body.id);
    await sendLog(server, "pass", { project: "gone", id: "gone-2" });
    await sleep(500);
    expect(receiving.times("/gone")).toHaveLength(1);
    expect((await deliveries(server, "&logId=gone-2")).filter((x) => x.kind === "hook")).toEqual([]);
  });

  test("a log deleted right after it was flagged still gets its callback; the delivery stays with logId null", async () => {
    let deleted = false;
    receiving.script("/outlive", () => ({ status: deleted ? 200 : 503 }));
    await sendLog(server, "flagged", { project: "failures", id: "outlive", callbackUrl: `${receiver.url}/outlive` });
    expect((await server.call("DELETE", "/api/logs/outlive")).status).toBe(200);
    deleted = true;
    await receiver.waitFor((r) => r.some((x) => x.path === "/outlive" && x.answered === 200));
    expect(receiver.received.find((x) => x.path === "/outlive")!.body).toMatchObject({ id: "outlive", status: "flagged" });

    const d = await settled(server, (x) => x.target === `${receiver.url}/outlive`);
    expect(d).toMatchObject({ logId: null, kind: "callback", status: "succeeded" });
    expect(d.attempts.at(-1)!.responseStatus).toBe(200);
  });
});

describe("a receiver that never answers", () => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", { ...FAST, TRACIRA_DELIVERY_TIMEOUT_MS: "500" });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  test("times out with an error saying there was no answer, and is retried", async () => {
    const receiving = scripted(receiver);
    receiving.script("/slow", (n) => (n === 1 ? { status: 200, hang: true } : { status: 200 }));
    await sendLog(server, "pass", { project: "slow", id: "slow", callbackUrl: `${receiver.url}/slow` });
    const d = await ofLog(server, "slow", "callback");
    expect(d.status).toBe("succeeded");
    expect(d.attempts).toHaveLength(2);
    expect(d.attempts[0]).toMatchObject({ responseStatus: null, error: expect.stringMatching(/no answer/) });
    expect(d.attempts[0]!.durationMs).toBeGreaterThanOrEqual(450);
    expect(d.attempts[1]).toMatchObject({ responseStatus: 200, error: null });
  });
});

describe("a receiver that is down for longer than the retry window", () => {
  let server: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    server = await startTestServerOn("postgres", { ...FAST, TRACIRA_DELIVERY_RETRY_HOURS: "0.0006" }); // ≈ 2 s
    receiver = await startReceiver();
    receiver.respond(() => ({ status: 503 }));
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  test("is given up on: the delivery ends failed, saying so, after several attempts", async () => {
    await sendLog(server, "pass", { project: "down", id: "down", callbackUrl: `${receiver.url}/down` });
    const d = await ofLog(server, "down", "callback");
    expect(d.status).toBe("failed");
    expect(d.lastError).toMatch(/gave up/);
    expect(d.attempts.length).toBeGreaterThanOrEqual(3);
    expect(d.attempts.every((a) => a.responseStatus === 503)).toBe(true);
    const spanMs = Date.parse(d.attempts.at(-1)!.createdAt) - Date.parse(d.createdAt);
    expect(spanMs).toBeGreaterThanOrEqual(2_000); // the window, 2.16 s
    const count = receiver.received.length;
    await sleep(500);
    expect(receiver.received).toHaveLength(count);
  });
});
