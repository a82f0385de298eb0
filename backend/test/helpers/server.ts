import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { startServer, type RunningServer } from "../../src/server";
import { createTestDatabase } from "./postgres";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export type Call = <T = any>(
  method: string,
  path: string,
  body?: unknown,
  options?: { token?: string | null; headers?: Record<string, string>; raw?: string },
) => Promise<ApiResponse<T>>;

export interface TestServer {
  url: string;
  /** The first workspace's token. */
  token: string;
  running: RunningServer;
  /** Calls the API with the first workspace's token unless another (or null) is given. */
  call: Call;
  /** Creates another workspace and returns its token. */
  newWorkspace(name?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * What every test server runs with unless a test says otherwise: a fixed secret key (no key file written
 * into the repository) and a rate limit high enough for suites that send many logs; the rate limit has
 * its own tests.
 */
export const TEST_ENV: Record<string, string> = {
  PORT: "0",
  HOST: "127.0.0.1",
  NODE_ENV: "test",
  TRACIRA_LOG_LEVEL: "error",
  TRACIRA_SECRET_KEY: "dGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzLWxvbmctLS0",
  RATE_LIMIT_PER_MINUTE: "1000000",
  // Test receivers listen on 127.0.0.1; the guard itself is tested with this unset.
  TRACIRA_ALLOW_PRIVATE_URLS: "true",
};

/** A real server on a free port over a real database (Postgres URL, or a PGlite folder). */
export async function startTestServer(env: Record<string, string>): Promise<TestServer> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const running = await startServer(config, createLogger(config.logLevel));
  const token = running.bootstrapped?.token ?? env.TRACIRA_BOOTSTRAP_TOKEN;
  if (!token) throw new Error("test server started on a database that already had a workspace; pass TRACIRA_BOOTSTRAP_TOKEN");
  const call = callerFor(running.url, token);
  return {
    url: running.url,
    token,
    running,
    call,
    newWorkspace: async (name = "Other workspace") => (await running.deps.services.workspaces.create(name)).token,
    close: () => running.close(),
  };
}

/**
 * A test server on a database of its own: a fresh Postgres database, or a PGlite folder in a temporary
 * directory (the embedded default). `close()` also drops the database or removes the folder.
 */
export async function startTestServerOn(backend: "postgres" | "pglite", env: Record<string, string> = {}): Promise<TestServer> {
  if (backend === "postgres") {
    const db = await createTestDatabase();
    const server = await startTestServer({ ...env, DATABASE_URL: db.url }).catch(async (err: unknown) => {
      await db.drop();
      throw err;
    });
    return { ...server, close: () => server.close().finally(() => db.drop()) };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-test-"));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  const server = await startTestServer({ ...env, TRACIRA_DATA_DIR: dataDir }).catch((err: unknown) => {
    removeDir();
    throw err;
  });
  return { ...server, close: () => server.close().finally(removeDir) };
}

export function callerFor(url: string, defaultToken: string): Call {
  return async (method, path, body, options = {}) => {
    const token = options.token === undefined ? defaultToken : options.token;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (token) headers.authorization ??= `Bearer ${token}`;
    let payload: string | undefined = options.raw;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(url + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
}

/** Polls `GET /api/logs/:id/status` until the log leaves `pending`; returns the final status. */
export async function waitForFinal(call: Call, id: string, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await call("GET", `/api/logs/${encodeURIComponent(id)}/status`);
    if (res.status === 200 && res.body.status !== "pending") return res.body.status;
    if (Date.now() > end) throw new Error(`log ${id} still ${res.body?.status ?? res.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
