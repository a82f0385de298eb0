import { createHash, randomBytes } from "node:crypto";
import { Client } from "pg";
import { readMigrations } from "../../src/db/migrate";

/** The server tests use: a real Postgres (CI starts it). */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Named after the migrations, so a schema change makes a fresh template. */
export function templateName(): string {
  const digest = createHash("sha256");
  for (const m of readMigrations()) digest.update(m.name).update(m.checksum);
  return `tracira_tpl_${digest.digest("hex").slice(0, 16)}`;
}

export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file, cloned from the migrated template (fast). */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `tracira_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin((c) =>
    c.query(options.migrated === false ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${templateName()}`),
  );
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
