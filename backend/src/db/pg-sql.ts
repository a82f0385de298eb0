import type { Pool, PoolClient } from "pg";
import type { SqlClient } from "./sql";

/** The raw-SQL surface over a pg pool; `transaction` pins one connection for its callback. */
export function pgSql(pool: Pool): SqlClient {
  return {
    query: async (text, params, name) => (await pool.query({ text, values: params as unknown[], name })).rows,
    exec: async (script) => void (await pool.query(script)),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(onConnection(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

/** Inside a transaction: everything runs on its connection, and nested transactions join it. */
function onConnection(client: PoolClient): SqlClient {
  const self: SqlClient = {
    query: async (text, params, name) => (await client.query({ text, values: params as unknown[], name })).rows,
    exec: async (script) => void (await client.query(script)),
    transaction: (fn) => fn(self),
  };
  return self;
}
