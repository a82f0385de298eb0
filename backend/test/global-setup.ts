import { Pool } from "pg";
import { migrate } from "../src/db/migrate";
import { pgSql } from "../src/db/pg-sql";
import { databaseUrl, templateName, withAdmin } from "./helpers/postgres";

/** Migrates a template database once per run; every test file clones it. */
export default async function globalSetup() {
  const name = templateName();
  const exists = await withAdmin(async (c) => {
    const { rowCount } = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return true;
    // Leftovers of earlier runs are dropped so they do not pile up; one still in use (another run
    // going on at the same time) is left alone: no FORCE, and a refusal is ignored.
    const old = await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'tracira\\_tpl\\_%' OR datname LIKE 'tracira\\_t\\_%'");
    for (const row of old.rows) await c.query(`DROP DATABASE IF EXISTS ${row.datname}`).catch(() => undefined);
    await c.query(`DROP DATABASE IF EXISTS ${name}_building`).catch(() => undefined);
    await c.query(`CREATE DATABASE ${name}_building`);
    return false;
  });
  if (exists) return;
  const pool = new Pool({ connectionString: databaseUrl(`${name}_building`), max: 1 });
  try {
    await migrate(pgSql(pool));
  } finally {
    await pool.end();
  }
  await withAdmin((c) => c.query(`ALTER DATABASE ${name}_building RENAME TO ${name}`));
}
