import type { Server } from "node:http";
import net from "node:net";

/** How long open keep-alive connections may still bring a request once shutdown has begun. */
const LINGER_MS = 1_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * While draining, every answer says `Connection: close`, so a client does not send another request on a
 * connection that is about to go. Runs before the app on each request.
 */
export function closeConnectionsWhileDraining(server: Server, draining: { value: boolean }): void {
  server.prependListener("request", (_req, res) => {
    if (draining.value) res.setHeader("Connection", "close");
  });
}

/**
 * Stops accepting connections and lets the open ones finish, by `deadline` at the latest. http.Server's own
 * close() would drop idle keep-alive connections at once, resetting a request a client is sending on one
 * right then; so the listening socket is closed alone (net.Server's close), requests on open connections
 * are answered for a moment (with Connection: close), then idle connections are closed, and at the
 * deadline every connection left.
 */
export async function drainConnections(server: Server, deadline: number): Promise<void> {
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  await Promise.race([closed, sleep(Math.min(LINGER_MS, Math.max(0, deadline - Date.now())))]);
  server.closeIdleConnections();
  // A keep-alive connection that has just finished a response can still count as busy for a moment.
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
  await closed;
  clearInterval(sweep);
  clearTimeout(cut);
}
