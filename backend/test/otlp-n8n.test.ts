import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { TraceDetail } from "@tracira/shared";
import { startTestServerOn, waitForFinal, type TestServer } from "./helpers/server";
import { forbidRefunds } from "./helpers/trace-ingest";
import { until } from "./helpers/until";
import { mapExport } from "../src/services/traces/otlp/map";

/**
 * n8n's own tracing (2.19 and later): an execution exported over OTLP becomes one trace named after the
 * workflow with a span per node, in the project of the exporter's `x-tracira-project` header; a log the
 * workflow posts with the execution's `traceparent` is linked to it both ways.
 */
jest.setTimeout(60_000);

const run = promisify(execFile);
const FIXTURE = path.join(__dirname, "fixtures", "n8n-workflow-execution.mjs");

let server: TestServer;

beforeAll(async () => {
  server = await startTestServerOn("postgres");
  await forbidRefunds(server, "support-flows");
});
afterAll(() => server?.close());

test("an n8n execution becomes one trace with a span per node, and the log it posted is linked both ways", async () => {
  const answer = "We are sorry: you get a full refund.";
  const { stdout } = await run(process.execPath, [FIXTURE, server.url, server.token, "support-flows", answer], { timeout: 45_000 });
  const [traceId, traciraSpanId, logId] = stdout.trim().split(" ") as [string, string, string];
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);

  const detail = TraceDetail.parse(
    await until("the exported execution", async () => {
      const res = await server.call("GET", `/api/traces/${traceId}`);
      return res.status === 200 && res.body.spans.length === 5 ? res.body : undefined;
    }),
  );
  expect(detail.trace.name).toBe("Support reply");
  expect(detail.spans.map((s) => [s.name, s.kind, s.status, s.parent_span_id === null])).toEqual([
    ["Support reply", "chain", "ok", true],
    ["Webhook", "webhook", "ok", false],
    ["OpenAI Chat Model", "llm", "ok", false],
    ["Look up order", "webhook", "error", false],
    ["Tracira", "chain", "ok", false],
  ]);
  const [, , model, lookup, tracira] = detail.spans;
  expect(model!.duration_ms).toBe(890);
  expect(lookup!.error).toEqual({ message: "The service was not able to process your request", type: "NodeApiError" });
  expect(tracira!.id).toBe(traciraSpanId);
  expect(tracira!.attributes).toMatchObject({ "n8n.node.type": "n8n-nodes-tracira.tracira", "n8n.node.items.input": 1 });

  // The execution's own log: the header's project, the workflow as its task, the execution and workflow ids.
  const executionLog = (await server.call("GET", `/api/logs/${traceId}`)).body;
  expect(executionLog).toMatchObject({ projectName: "support-flows", taskName: "Support reply" });
  const byRun = await server.call("GET", `/api/traces?run_id=1017&runner_id=wf-42`);
  expect(byRun.body.traces.map((t: { id: string }) => t.id)).toEqual([traceId]);

  // The log posted from inside the execution shows the workflow's trace...
  expect(await waitForFinal(server.call, logId)).toBe("flagged");
  const log = (await server.call("GET", `/api/logs/${logId}`)).body;
  expect(log.linkedTrace).toEqual({ traceId, spanId: traciraSpanId });

  // ...and the trace shows the log's verdict as an evaluation on the step that posted it.
  const after = TraceDetail.parse((await server.call("GET", `/api/traces/${traceId}`)).body);
  const verdict = after.evaluations.find((e) => e.id === `log:${logId}`);
  expect(verdict).toMatchObject({
    span_id: traciraSpanId,
    evaluator: "tracira",
    name: "verdict",
    label: "flagged",
    metadata: { logId, project: "support-flows", task: "reply" },
  });

  // Another workspace sees neither the trace nor the link.
  const other = await server.newWorkspace();
  expect((await server.call("GET", `/api/traces/${traceId}`, undefined, { token: other })).status).toBe(404);
});

test("without the header the project is the service name; a tracira.project attribute still wins", async () => {
  const span = (attrs: Record<string, string>) => ({
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    name: "workflow.execute",
    startTimeUnixNano: "1780000000000000000",
    endTimeUnixNano: "1780000001000000000",
    attributes: Object.entries(attrs).map(([key, value]) => ({ key, value: { stringValue: value } })),
  });
  const envelope = (attrs: Record<string, string>) => ({
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { stringValue: "n8n" } }] }, scopeSpans: [{ spans: [span(attrs)] }] },
    ],
  });
  const wf = { "n8n.workflow.name": "Lead intake" };
  expect(mapExport(envelope(wf), "default").traces[0]).toMatchObject({ project: "n8n", fields: { name: "Lead intake" } });
  expect(mapExport(envelope(wf), "default", "leads").traces[0]!.project).toBe("leads");
  expect(mapExport(envelope({ ...wf, "tracira.project": "sales" }), "default", "leads").traces[0]!.project).toBe("sales");
});
