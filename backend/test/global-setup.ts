import { Client } from "pg";
import { migrate } from "../src/db/migrate";
import type { SqlClient } from "../src/db/sql";
import { databaseUrl, templateName, withAdmin } from "./helpers/postgres";

/** Migrates a template database once per run; every test file clones it. */
export default async function globalSetup() {
  const name = templateName();
  const exists = await withAdmin(async (c) => {
    const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return true;
    // Leftovers of earlier runs are dropped so they do not pile up; one still in use (another run
    // going on at the same time) is left alone: no FORCE, and a refusal is ignored.
    const old = await c.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'tracira\\_tpl\\_%' OR datname LIKE 'tracira\\_t\\_%'",
    );
    for (const row of old.rows) await c.query(`DROP DATABASE IF EXISTS ${row.datname}`).catch(() => undefined);
    await c.query(`DROP DATABASE IF EXISTS ${name}_building`).catch(() => undefined);
    await c.query(`CREATE DATABASE ${name}_building`);
    return false;
  });
  if (exists) return;
  const client = new Client({ connectionString: databaseUrl(`${name}_building`) });
  await client.connect();
  const sql: SqlClient = {
    query: async (text, params) => (await client.query(text, params as unknown[])).rows,
    exec: async (script) => void (await client.query(script)),
    transaction: async (fn) => {
      await client.query("BEGIN");
      try {
        const result = await fn(sql);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    },
  };
  try {
    await migrate(sql);
  } finally {
    await client.end();
  }
  await withAdmin((c) => c.query(`ALTER DATABASE ${name}_building RENAME TO ${name}`));
}
