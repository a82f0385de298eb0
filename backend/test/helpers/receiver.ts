import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as a receiver saw it: the raw body (what signatures cover) and the headers. */
export interface Received {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  /** The status the receiver answered. */
  answered: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the sender's timeout must fire). */
  hang?: boolean;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Changes how the next requests are answered. */
  respond(fn: (req: Omit<Received, "answered">) => Answer): void;
  /** Resolves when `predicate` holds over what was received (polls). */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every request and answers as the test scripts it. */
export async function startReceiver(host = "127.0.0.1"): Promise<Receiver> {
  const received: Received[] = [];
  let respond: (req: Omit<Received, "answered">) => Answer = () => ({ status: 200 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* not JSON */
      }
      const seen = { path: req.url ?? "/", method: req.method ?? "GET", headers: req.headers, raw, body };
      const answer = respond(seen);
      if (answer.hang) return;
      received.push({ ...seen, answered: answer.status });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    received,
    respond(fn) {
      respond = fn;
    },
    async waitFor(predicate, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > end) throw new Error(`receiver condition not met after ${timeoutMs} ms (${received.length} requests received)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
