import { signatureProblem } from "@tracira/shared/portable/signature";
import { FAST_DELIVERIES } from "./helpers/deliveries";
import { startReceiver, type Receiver, type Received } from "./helpers/receiver";
import { startTestServerOn, type TestServer } from "./helpers/server";
import { signatureHeader } from "../src/deliveries/signature";

/**
 * Who can sign what: a hook subscription's secret signs only that subscription's deliveries, so whoever
 * made it (a member, through the dashboard) cannot forge the workspace's callbacks or outbound webhook; the
 * admin rotates the workspace secret with an overlap in which both signatures are sent; members see
 * delivery targets masked.
 */
let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  server = await startTestServerOn("postgres", FAST_DELIVERIES);
  receiver = await startReceiver();
  expect((await server.call("POST", "/api/rules", { name: "No BAD", type: "keyword_forbidden", value: "BAD" })).status).toBe(201);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const now = () => Date.now() / 1000;
const verifies = (secret: string, r: Received) => signatureProblem(secret, String(r.headers["x-tracira-signature"]), r.raw, now()) === null;
const to = (path: string, id: string) => (r: Received) => r.path.split("?")[0] === path && r.body.id === id;
const deliveryTo = (path: string, id: string) =>
  receiver.waitFor((all) => all.some(to(path, id))).then(() => receiver.received.filter(to(path, id)).at(-1)!);

test("a subscription's secret signs its own deliveries only: it cannot forge the workspace webhook's", async () => {
  const hook = await server.call("POST", "/api/hooks", { url: `${receiver.url}/member-hook`, events: ["log.flagged"], source: "n8n" });
  const hookSecret: string = hook.body.signingSecret;
  const workspaceSecret: string = (await server.call("GET", "/api/settings/signing-secret")).body.signingSecret;
  expect(hookSecret).not.toBe(workspaceSecret);
  expect(
    (await server.call("PATCH", "/api/settings", { webhookEnabled: true, outboundWebhookUrl: `${receiver.url}/admin-webhook?key=s3cret` }))
      .status,
  ).toBe(200);

  expect((await server.call("POST", "/api/logs", { id: "signed-1", project: "signing", output: "This is BAD." })).status).toBe(200);
  const viaHook = await deliveryTo("/member-hook", "signed-1");
  const viaWebhook = await deliveryTo("/admin-webhook", "signed-1");
  expect(verifies(hookSecret, viaHook)).toBe(true);
  expect(verifies(workspaceSecret, viaHook)).toBe(false);
  expect(verifies(workspaceSecret, viaWebhook)).toBe(true);
  expect(verifies(hookSecret, viaWebhook)).toBe(false);

  // A forgery made with the subscription's secret is refused by the admin's receiver.
  const forged = JSON.stringify({ ...viaWebhook.body, status: "pass" });
  expect(signatureProblem(workspaceSecret, signatureHeader(hookSecret, forged), forged, now())).toBe("mismatch");
});

test("rotating the workspace secret: both signatures for the overlap, then the old one signs nothing new", async () => {
  const before: string = (await server.call("GET", "/api/settings/signing-secret")).body.signingSecret;
  const rotated = await server.call("POST", "/api/settings/rotate-signing-secret");
  expect(rotated).toMatchObject({
    status: 200,
    body: { signingSecret: expect.stringMatching(/^whsec_/), previousValidUntil: expect.any(String) },
  });
  const after: string = rotated.body.signingSecret;
  expect(after).not.toBe(before);
  expect((await server.call("GET", "/api/settings/signing-secret")).body.signingSecret).toBe(after);

  expect((await server.call("POST", "/api/logs", { id: "signed-2", project: "signing", output: "BAD again" })).status).toBe(200);
  const overlap = await deliveryTo("/admin-webhook", "signed-2");
  expect(String(overlap.headers["x-tracira-signature"]).match(/v1=/g)).toHaveLength(2);
  expect(verifies(after, overlap)).toBe(true);
  expect(verifies(before, overlap)).toBe(true); // receivers not yet updated keep working

  // Once the overlap is over (set to the past here), only the new secret signs.
  await server.running.deps.db.sql.query(`UPDATE workspaces SET previous_signing_secret_until = now() - interval '1 second'`);
  await server.call("POST", "/api/settings/rotate-signing-secret").then(async (again) => {
    // A second rotation starts a new overlap with the secret just made; expire it too.
    await server.running.deps.db.sql.query(`UPDATE workspaces SET previous_signing_secret_until = now() - interval '1 second'`);
    const latest: string = again.body.signingSecret;
    expect((await server.call("POST", "/api/logs", { id: "signed-3", project: "signing", output: "BAD once more" })).status).toBe(200);
    const single = await deliveryTo("/admin-webhook", "signed-3");
    expect(String(single.headers["x-tracira-signature"]).match(/v1=/g)).toHaveLength(1);
    expect(verifies(latest, single)).toBe(true);
    expect(verifies(before, single)).toBe(false);
  });
});

test("members see delivery targets as their origin only; admins see them whole", async () => {
  const { id: workspaceId } = (await server.running.deps.db.prisma.workspace.findFirst({ orderBy: { createdAt: "asc" } }))!;
  const asMember = await server.running.deps.services.deliveries.list(workspaceId, { limit: 100 }, "member");
  const asAdmin = await server.running.deps.services.deliveries.list(workspaceId, { limit: 100 }, "admin");
  expect(asAdmin.deliveries.map((d) => d.target)).toContain(`${receiver.url}/admin-webhook?key=s3cret`);
  expect(asMember.deliveries.map((d) => d.target)).not.toContain(`${receiver.url}/admin-webhook?key=s3cret`);
  expect(asMember.deliveries.every((d) => !d.target.includes("s3cret") && !d.target.includes("admin-webhook"))).toBe(true);
  expect(asMember.deliveries.map((d) => d.target)).toContain(`${new URL(receiver.url).origin}/…`);
});
