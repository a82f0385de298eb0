import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SqlClient } from "./sql";

/**
 * Applies prisma/migrations/* the way `prisma migrate deploy` does, recording each in
 * `_prisma_migrations` with Prisma's checksum, so `prisma migrate status/deploy` keep working on the
 * same database for anyone who has Prisma's native engine. Each migration runs in one transaction
 * together with its history row: a failure leaves nothing behind.
 */
export const MIGRATIONS_DIR = path.resolve(__dirname, "../../../prisma/migrations");
const LOCK_KEY = 72707369; // the advisory lock id Prisma Migrate uses

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {}

export async function migrate(sql: SqlClient, migrations = readMigrations()): Promise<string[]> {
  const applied: string[] = [];
  await sql.transaction(async (tx) => {
    // A transaction-scoped lock: concurrent starts of several instances migrate once. Scripts (exec) are
    // exempt from the pool's query timeout, and the statement timeout is lifted for this transaction: a
    // migration (or waiting for another instance's) may take long.
    await tx.exec(`SET LOCAL statement_timeout = 0; SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.exec(HISTORY_TABLE);
    const rows = await tx.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `Migration ${failed.migration_name} failed earlier and was never finished; fix the database, then mark it ` +
          `with \`prisma migrate resolve\` before starting again.`,
      );
    }
    const done = new Set(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      const id = randomUUID();
      await tx.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`, [
        id,
        m.checksum,
        m.name,
      ]);
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`);
      }
      await tx.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
      applied.push(m.name);
    }
  });
  return applied;
}
