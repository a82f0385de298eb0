import type { Pool, PoolClient } from "pg";
import type { SqlClient } from "./sql";

/** Scripts (migrations) may run long: they are exempt from the pool's client-side query timeout. */
const SCRIPT_TIMEOUT_MS = 24 * 3_600_000;

/** The raw-SQL surface over a pg pool; `transaction` pins one connection for its callback. */
export function pgSql(pool: Pool): SqlClient {
  return {
    query: async (text, params, name) => (await pool.query({ text, values: params as unknown[], name })).rows,
    exec: async (script) => void (await pool.query({ text: script, query_timeout: SCRIPT_TIMEOUT_MS } as never)),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await inTransaction(client, fn, (err) => (broken = err));
      } finally {
        client.release(broken);
      }
    },
    async session(fn) {
      const client = await pool.connect();
      try {
        return await fn(pinned(client));
      } finally {
        client.release(true);
      }
    },
  };
}

/** BEGIN … COMMIT around `fn` on `client`; `broken` hears of a connection that cannot even roll back (timed out, cut). */
async function inTransaction<T>(client: PoolClient, fn: (tx: SqlClient) => Promise<T>, broken: (err: Error) => void): Promise<T> {
  try {
    await client.query("BEGIN");
    const result = await fn(onConnection(client));
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => broken(err as Error));
    throw err;
  }
}

const onClient = (client: PoolClient) => ({
  query: async <T>(text: string, params?: unknown[], name?: string) =>
    (await client.query({ text, values: params as unknown[], name })).rows as T[],
  exec: async (script: string) => void (await client.query({ text: script, query_timeout: SCRIPT_TIMEOUT_MS } as never)),
});

/** One connection outside a transaction: each statement commits on its own; `transaction` opens one. */
function pinned(client: PoolClient): SqlClient {
  const self: SqlClient = {
    ...onClient(client),
    // A broken connection is closed with the session anyway.
    transaction: (fn) => inTransaction(client, fn, () => undefined),
    session: (fn) => fn(self),
  };
  return self;
}

/** Inside a transaction: everything runs on its connection, and nested transactions join it. */
function onConnection(client: PoolClient): SqlClient {
  const self: SqlClient = {
    ...onClient(client),
    transaction: (fn) => fn(self),
    session: (fn) => fn(self),
  };
  return self;
}
