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
        await client.query("BEGIN");
        const result = await fn(onConnection(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        // A connection that cannot even roll back (timed out, cut) is destroyed, not given back to the pool.
        broken = await client.query("ROLLBACK").then(
          () => undefined,
          () => err as Error,
        );
        throw err;
      } finally {
        client.release(broken);
      }
    },
  };
}

/** Inside a transaction: everything runs on its connection, and nested transactions join it. */
function onConnection(client: PoolClient): SqlClient {
  const self: SqlClient = {
    query: async (text, params, name) => (await client.query({ text, values: params as unknown[], name })).rows,
    exec: async (script) => void (await client.query({ text: script, query_timeout: SCRIPT_TIMEOUT_MS } as never)),
    transaction: (fn) => fn(self),
  };
  return self;
}
