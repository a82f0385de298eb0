import { CreateLogBody } from "@tracira/shared";
import { ListLogsResponse, LogDetail } from "@tracira/shared";
import { callerFor, startTestServerOn, type Call, type TestServer } from "./helpers/server";

/**
 * The same API suite on Postgres and on the embedded default (PGlite). The evaluation worker is off:
 * these tests set outcomes directly to exercise filters, sorting and review (evaluation has its own tests).
 */
describe.each(["postgres", "pglite"] as const)("%s", (backend) => {
  let server: TestServer;
  let call: Call;
  let other: Call; // a second workspace

  beforeAll(async () => {
    server = await startTestServerOn(backend, { TRACIRA_WORKER: "false" });
    call = server.call;
    other = callerFor(server.url, await server.newWorkspace());
  });
  afterAll(() => server?.close());

  const prisma = () => server.running.deps.db.prisma;
  const post = (body: Record<string, unknown>, caller = call) => caller("POST", "/api/logs", body);
  const list = async (query = "", caller = call) => {
    const res = await caller("GET", `/api/logs${query}`);
    expect(res.status).toBe(200);
    return ListLogsResponse.parse(res.body);
  };
  /** Outcomes set directly, to exercise filters. */
  const setStatus = (id: string, status: "pass" | "flagged" | "error") =>
    prisma().log.update({ where: { id }, data: { status, verdict: status } });

  describe("POST /api/logs", () => {
    test("stores every field, maps context aliases, and serves it back from GET /api/logs/:id", async () => {
      const res = await post({
        project: "support-replies",
        task: "Tone Validator",
        output: "The AI-generated text to evaluate.",
        model: "gpt-4o",
        latencyMs: 812.5,
        costUsd: 0.0031,
        confidence: 0.87,
        input: [
          { type: "text", text: "Write a reply" },
          { type: "image_url", image_url: { url: "https://example.com/a.png" } },
        ],
        inputText: "Write a reply",
        metadata: { env: "prod", run: 7 },
        tags: ["beta", "eu"],
        conversationId: "conv-1",
        customerId: 1234,
        agentId: "agent-7",
        timestamp: "2024-11-15T10:30:00Z",
        callbackUrl: "https://hooks.example.com/tracira",
        callbackEvents: "flagged_error",
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: "pending" });

      const got = await call("GET", `/api/logs/${res.body.id}`);
      expect(got.status).toBe(200);
      const log = LogDetail.parse(got.body);
      expect(log).toMatchObject({
        id: res.body.id,
        projectName: "support-replies",
        taskName: "Tone Validator",
        output: "The AI-generated text to evaluate.",
        model: "gpt-4o",
        latencyMs: 812.5,
        costUsd: 0.0031,
        confidence: 0.87,
        inputText: "Write a reply",
        metadata: { env: "prod", run: 7 },
        tags: ["beta", "eu"],
        sessionId: "conv-1",
        subjectId: "1234",
        actorId: "agent-7",
        timestamp: "2024-11-15T10:30:00.000Z",
        callbackUrl: "https://hooks.example.com/tracira",
        callbackEvents: "flagged_error",
        status: "pending",
        verdict: null,
        humanDecision: null,
        appliedRules: [],
        attachments: [],
        sessionTurnCount: 1,
      });
      expect(log.input).toEqual([
        { type: "text", text: "Write a reply" },
        { type: "image_url", image_url: { url: "https://example.com/a.png" } },
      ]);
    });

    test("the canonical context field wins over its aliases; comma-separated tags are split", async () => {
      const res = await post({ project: "p", output: "x", sessionId: "s-main", threadId: "t-1", userId: "u1", tags: "a, b,,a" });
      const log = (await call("GET", `/api/logs/${res.body.id}`)).body;
      expect(log).toMatchObject({ sessionId: "s-main", actorId: "u1", tags: ["a", "b"] });
    });

    test("numbers sent as text are read as numbers; null and empty optional fields mean not given", async () => {
      const res = await post({
        project: "zapier-style",
        output: "x",
        latencyMs: "812.5",
        costUsd: " 0.25 ",
        confidence: "0.9",
        model: null,
        task: "",
        callbackUrl: "",
        callbackEvents: null,
        timestamp: "",
        tags: null,
        metadata: null,
        sessionId: null,
        sync: "",
      });
      expect(res.status).toBe(200);
      const log = (await call("GET", `/api/logs/${res.body.id}`)).body;
      expect(log).toMatchObject({
        latencyMs: 812.5,
        costUsd: 0.25,
        confidence: 0.9,
        model: null,
        taskName: null,
        callbackUrl: null,
        tags: [],
        metadata: null,
        sessionId: null,
        callbackEvents: "all",
      });
      const bad = await post({ project: "p", output: "x", latencyMs: "fast" });
      expect(bad.status).toBe(400);
      expect(bad.body.fields).toEqual({ latencyMs: "latencyMs must be a number, not string" });
    });

    test("an object or array output is stored as its JSON text", async () => {
      const obj = await post({ project: "p", output: { answer: "yes", items: [1, 2] } });
      expect((await call("GET", `/api/logs/${obj.body.id}`)).body.output).toBe('{"answer":"yes","items":[1,2]}');
      const arr = await post({ project: "p", output: [{ a: 1 }] });
      expect((await call("GET", `/api/logs/${arr.body.id}`)).body.output).toBe('[{"a":1}]');
    });

    test("exactly 50,000 characters are accepted; 50,001 are refused with the field named", async () => {
      expect((await post({ project: "p", output: "x".repeat(50_000) })).status).toBe(200);
      const tooLong = await post({ project: "p", output: "x".repeat(50_001) });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.fields.output).toMatch(/50000/);
    });

    test("a caller id makes the write idempotent; the same id in another workspace is a 409", async () => {
      const first = await post({ project: "idem", output: "one", id: "order-42" });
      expect(first.body).toEqual({ ok: true, id: "order-42", status: "pending" });
      await setStatus("order-42", "flagged");
      const again = await post({ project: "idem", output: "two", id: "order-42" });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ok: true, id: "order-42", status: "flagged" });
      expect((await call("GET", "/api/logs/order-42")).body.output).toBe("one");
      expect(await prisma().log.count({ where: { id: "order-42" } })).toBe(1);

      const taken = await post({ project: "idem", output: "mine", id: "order-42" }, other);
      expect(taken.status).toBe(409);
      expect(taken.body).toMatchObject({ code: "conflict", fields: { id: expect.any(String) } });
    });

    test("concurrent first logs of a new project create it once and lose no log", async () => {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => post({ project: "burst-project", task: `t${i % 3}`, output: `o${i}` })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(await prisma().project.count({ where: { name: "burst-project" } })).toBe(1);
      expect((await list("?project=burst-project&limit=100")).total).toBe(40);
      expect((await call("GET", "/api/logs/tasks?project=burst-project")).body).toEqual(["t0", "t1", "t2"]);
    });

    test("concurrent requests with one caller id store one log and create only that request's project and task", async () => {
      // Straight to the service, all in one tick, so every call passes the "already stored?" check first.
      const { id: workspaceId } = (await prisma().workspace.findFirst({ orderBy: { createdAt: "asc" } }))!;
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          server.running.deps.services.ingest.ingest(
            { workspaceId },
            CreateLogBody.parse({ id: "same-caller-id", project: `race-project-${i}`, task: `race-task-${i}`, output: `o${i}` }),
          ),
        ),
      );
      expect(results.every((r) => r.id === "same-caller-id")).toBe(true);
      expect(await prisma().log.count({ where: { id: "same-caller-id" } })).toBe(1);
      const stored = (await call("GET", "/api/logs/same-caller-id")).body;
      const projects = await prisma().project.findMany({ where: { name: { startsWith: "race-project-" } }, select: { name: true } });
      expect(projects.map((p) => p.name)).toEqual([stored.projectName]);
      const tasks = await prisma().task.findMany({ where: { name: { startsWith: "race-task-" } }, select: { name: true } });
      expect(tasks.map((t) => t.name)).toEqual([stored.taskName]);
    });

    test("sync: true is accepted (its verdict arrives with the evaluation engine)", async () => {
      const res = await post({ project: "p", output: "x", sync: "true" });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, id: expect.any(String) });
    });

    test("a body sent without a Content-Type header (curl -d) is still read as JSON", async () => {
      const res = await call("POST", "/api/logs", undefined, {
        raw: JSON.stringify({ project: "no-header", output: "hi" }),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.status).toBe(200);
    });
  });

  describe("GET /api/logs", () => {
    let ids: Record<string, string>;
    beforeAll(async () => {
      const make = async (name: string, body: Record<string, unknown>) => [name, (await post({ output: name, ...body })).body.id] as const;
      ids = Object.fromEntries(
        await Promise.all([
          make("a", {
            project: "alpha",
            task: "t1",
            model: "gpt-4o",
            latencyMs: 10,
            costUsd: 0.5,
            sessionId: "S1",
            tags: ["x", "y"],
            timestamp: "2025-01-01T00:00:00Z",
          }),
          make("b", {
            project: "alpha",
            task: "t2",
            model: "claude-3-5-sonnet",
            latencyMs: 30,
            costUsd: 0.1,
            sessionId: "S1",
            subjectId: "cust-9",
            timestamp: "2025-01-02T00:00:00Z",
          }),
          make("c", {
            project: "beta",
            model: "gpt-4o-mini",
            latencyMs: 20,
            actorId: "bot-1",
            tags: ["x"],
            timestamp: "2025-01-03T00:00:00Z",
          }),
          make("d", { project: "beta", task: "t1", timestamp: "2025-01-04T00:00:00Z" }),
        ]),
      );
      await setStatus(ids.a!, "pass");
      await setStatus(ids.b!, "flagged");
      await setStatus(ids.c!, "error");
      await call("PATCH", `/api/logs/${ids.c}/decision`, { decision: "approved" });
    });

    const scoped = "from=2025-01-01T00:00:00Z&to=2025-01-31T00:00:00Z";
    const idsOf = (r: ListLogsResponse) => r.executions.map((e) => e.id);

    test("filters: status, pending, project, task, session, subject, actor, q, tags, from/to", async () => {
      expect(idsOf(await list(`?${scoped}&status=flagged`))).toEqual([ids.b]);
      expect(idsOf(await list(`?${scoped}&pending=true`))).toEqual([ids.b]); // c is decided
      expect(idsOf(await list(`?${scoped}&project=alpha`)).sort()).toEqual([ids.a, ids.b].sort());
      expect(idsOf(await list(`?${scoped}&task=t1`)).sort()).toEqual([ids.a, ids.d].sort());
      expect(idsOf(await list(`?${scoped}&sessionId=S1`)).sort()).toEqual([ids.a, ids.b].sort());
      expect(idsOf(await list(`?${scoped}&subjectId=cust-9`))).toEqual([ids.b]);
      expect(idsOf(await list(`?${scoped}&actorId=bot-1`))).toEqual([ids.c]);
      expect(idsOf(await list(`?${scoped}&q=CLAUDE`))).toEqual([ids.b]);
      expect(idsOf(await list(`?${scoped}&q=bet`)).sort()).toEqual([ids.c, ids.d].sort());
      expect(idsOf(await list(`?${scoped}&tags=x`)).sort()).toEqual([ids.a, ids.c].sort());
      expect(idsOf(await list(`?${scoped}&tags=x,y`))).toEqual([ids.a]);
      expect(idsOf(await list(`?from=2025-01-02T00:00:00Z&to=2025-01-03T00:00:00Z`))).toEqual([ids.c, ids.b]);
    });

    test("sorting by every key, both directions, and paging without overlap", async () => {
      expect(idsOf(await list(`?${scoped}`))).toEqual([ids.d, ids.c, ids.b, ids.a]);
      expect(idsOf(await list(`?${scoped}&sortDir=asc`))).toEqual([ids.a, ids.b, ids.c, ids.d]);
      expect(idsOf(await list(`?${scoped}&sortBy=latencyMs&sortDir=asc`))).toEqual([ids.a, ids.c, ids.b, ids.d]);
      expect(idsOf(await list(`?${scoped}&sortBy=costUsd&sortDir=desc`))).toEqual([ids.a, ids.b, ids.d, ids.c]); // no cost: last, newest first
      expect(idsOf(await list(`?${scoped}&sortBy=model&sortDir=asc`))).toEqual([ids.b, ids.a, ids.c, ids.d]);
      expect(idsOf(await list(`?${scoped}&sortBy=projectName&sortDir=asc`))).toEqual([ids.a, ids.b, ids.c, ids.d]);
      expect(idsOf(await list(`?${scoped}&sortBy=status&sortDir=asc`))[0]).toBe(ids.d); // enum order: pending first
      const page1 = await list(`?${scoped}&limit=3&page=1`);
      const page2 = await list(`?${scoped}&limit=3&page=2`);
      expect(page1).toMatchObject({ total: 4, page: 1, limit: 3 });
      expect([...idsOf(page1), ...idsOf(page2)]).toEqual([ids.d, ids.c, ids.b, ids.a]);
    });

    test("summary counts the filtered logs", async () => {
      expect((await list(`?${scoped}`)).summary).toEqual({
        totalRuns: 4,
        failuresDetected: 2,
        pendingReviews: 1,
        successRate: 33.3,
      });
      expect((await list(`?${scoped}&project=beta`)).summary).toEqual({
        totalRuns: 2,
        failuresDetected: 1,
        pendingReviews: 0,
        successRate: 0,
      });
    });

    test("sessionTurnCount counts the logs of the same session", async () => {
      const rows = (await list(`?${scoped}&sessionId=S1`)).executions;
      expect(rows.map((r) => r.sessionTurnCount)).toEqual([2, 2]);
    });

    test("another workspace sees none of these logs", async () => {
      expect((await list(`?${scoped}`, other)).total).toBe(0);
    });
  });

  describe("single log routes", () => {
    test("status, decision, delete; another workspace gets 404 on every :id route", async () => {
      const { id } = (await post({ project: "review", output: "needs a look" })).body;
      await setStatus(id, "flagged");

      for (const [method, path, body] of [
        ["GET", `/api/logs/${id}`],
        ["GET", `/api/logs/${id}/status`],
        ["PATCH", `/api/logs/${id}/decision`, { decision: "rejected" }],
        ["DELETE", `/api/logs/${id}`],
      ] as const) {
        const res = await other(method, path, body);
        expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, "not_found"]);
      }

      expect((await call("GET", `/api/logs/${id}/status`)).body).toEqual({
        id,
        status: "flagged",
        verdict: "flagged",
        confidenceScore: null,
        explanation: null,
        humanDecision: null,
      });
      const decided = await call("PATCH", `/api/logs/${id}/decision`, {
        decision: "Approved",
        decidedBy: "ana@example.com",
        source: "n8n",
      });
      expect(decided.body).toEqual({ ok: true, decidedBy: "ana@example.com" });
      const log = (await call("GET", `/api/logs/${id}`)).body;
      expect(log).toMatchObject({ humanDecision: "approved", decidedBy: "ana@example.com", decisionSource: "n8n" });
      expect(Date.parse(log.decidedAt)).toBeGreaterThan(Date.now() - 60_000);

      const byDefault = await call("PATCH", `/api/logs/${id}/decision`, { decision: "rejected" });
      expect(byDefault.body).toEqual({ ok: true, decidedBy: "api" });
      expect((await call("GET", `/api/logs/${id}`)).body).toMatchObject({ humanDecision: "rejected", decisionSource: "api" });

      expect((await call("DELETE", `/api/logs/${id}`)).body).toEqual({ ok: true });
      expect((await call("GET", `/api/logs/${id}`)).status).toBe(404);
      expect((await call("DELETE", `/api/logs/${id}`)).status).toBe(404);
    });

    test("bulk approve/reject/delete touch only the caller's logs", async () => {
      const mine = await Promise.all([1, 2, 3].map((i) => post({ project: "bulk", output: `m${i}` })));
      const theirs = (await post({ project: "bulk", output: "t" }, other)).body.id;
      const ids = [...mine.map((r) => r.body.id), theirs, "no-such-log"];

      expect((await call("PATCH", "/api/logs/bulk", { ids, action: "approve" })).body).toEqual({ ok: true, count: 3 });
      expect((await call("GET", `/api/logs/${ids[0]}`)).body).toMatchObject({ humanDecision: "approved", decisionSource: "api" });
      expect((await other("GET", `/api/logs/${theirs}`)).body.humanDecision).toBeNull();

      expect((await call("PATCH", "/api/logs/bulk", { ids: [ids[1]], action: "reject" })).body).toEqual({ ok: true, count: 1 });
      expect((await call("GET", `/api/logs/${ids[1]}`)).body.humanDecision).toBe("rejected");

      expect((await call("PATCH", "/api/logs/bulk", { ids, action: "delete" })).body).toEqual({ ok: true, count: 3 });
      expect((await other("GET", `/api/logs/${theirs}`)).status).toBe(200);
    });
  });

  describe("utilities", () => {
    test("verify names the workspace; a wrong token is 401 with the one error shape", async () => {
      expect((await call("GET", "/api/verify")).body).toEqual({ workspaceName: "My workspace" });
      expect((await call("GET", "/api/verify", undefined, { headers: { authorization: server.token } })).status).toBe(200);
      const bad = await call("GET", "/api/verify", undefined, { token: "wh-notarealtoken" });
      expect(bad.status).toBe(401);
      expect(bad.body).toEqual({ error: expect.stringMatching(/token/), code: "unauthorized" });
    });

    test("models are public and come from the shared presets", async () => {
      const res = await call("GET", "/api/models", undefined, { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(require("@tracira/shared").MODEL_PRESETS);
    });

    test("health and readiness", async () => {
      expect((await call("GET", "/healthz", undefined, { token: null })).body).toEqual({ ok: true });
      expect((await call("GET", "/readyz", undefined, { token: null })).body).toEqual({ ok: true, database: "ok" });
    });

    test("the OpenAPI document is generated from the route contracts", async () => {
      const doc = (await call("GET", "/api/openapi.json", undefined, { token: null })).body;
      expect(doc.openapi).toBe("3.1.0");
      for (const [path, method] of [
        ["/api/logs", "post"],
        ["/api/logs", "get"],
        ["/api/logs/{id}", "get"],
        ["/api/logs/{id}", "delete"],
        ["/api/logs/{id}/status", "get"],
        ["/api/logs/{id}/decision", "patch"],
        ["/api/logs/bulk", "patch"],
        ["/api/logs/tasks", "get"],
        ["/api/projects", "get"],
        ["/api/projects", "post"],
        ["/api/projects/{id}", "patch"],
        ["/api/projects/{id}", "delete"],
        ["/api/projects/{id}/tasks", "get"],
        ["/api/projects/{id}/tasks", "post"],
        ["/api/projects/{id}/tasks", "delete"],
        ["/api/verify", "get"],
        ["/api/models", "get"],
        ["/api/rules", "get"],
        ["/api/rules", "post"],
        ["/api/rules/{id}", "get"],
        ["/api/rules/{id}", "patch"],
        ["/api/rules/{id}", "delete"],
        ["/api/rules/evaluate", "post"],
        ["/api/hooks", "post"],
        ["/api/hooks", "get"],
        ["/api/hooks/{id}", "delete"],
        ["/api/deliveries", "get"],
        ["/api/logs/{id}/spans", "post"],
        ["/api/logs/{id}/evaluations", "post"],
        ["/api/traces", "get"],
        ["/api/traces/{traceId}", "get"],
        ["/v1/traces", "post"],
        ["/api/otel/v1/traces", "post"],
      ] as [string, string][]) {
        expect(doc.paths[path]?.[method]).toBeDefined();
      }
      // The trace routes' shapes come from their zod contracts: snake_case answers, the OTLP body in both encodings.
      const span = doc.components.schemas.TraceSpan;
      expect(Object.keys(span.properties)).toEqual(
        expect.arrayContaining(["parent_span_id", "dotted_order", "cached_input_tokens", "event_type"]),
      );
      const otlp = doc.paths["/v1/traces"].post.requestBody.content;
      expect(Object.keys(otlp)).toEqual(["application/json", "application/x-protobuf"]);
      expect(JSON.stringify(otlp["application/json"].schema)).toMatch(/OtlpExportTraceServiceRequest/);
      const appendBody = doc.paths["/api/logs/{id}/spans"].post.requestBody.content["application/json"].schema;
      expect(appendBody.$ref).toBe("#/components/schemas/AppendSpansBodyInput");
      expect(JSON.stringify(doc.components.schemas.AppendSpansBodyInput)).toMatch(/SpanInputInput/);
      const traceParams = doc.paths["/api/traces"].get.parameters.map((p: { name: string }) => p.name);
      expect(traceParams).toEqual(
        expect.arrayContaining(["limit", "cursor", "agent_id", "runner_id", "thread_id", "run_id", "status", "q"]),
      );
      const body = doc.paths["/api/logs"].post.requestBody.content["application/json"].schema;
      // output is required unless the log waits for its final step (checked by the contract, said in its description)
      expect(body.required).toEqual(["project"]);
      expect(body.properties.output.description).toMatch(/Required, unless awaitFinalStep/);
      expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(["callbackEvents", "conversationId", "timestamp", "tags"]));
      const listParams = doc.paths["/api/logs"].get.parameters.map((p: { name: string }) => p.name);
      expect(listParams).toEqual(
        expect.arrayContaining(["pending", "status", "q", "tags", "from", "to", "sortBy", "sortDir", "page", "limit"]),
      );
    });
  });
});
