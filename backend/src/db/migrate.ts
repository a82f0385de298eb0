import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SqlClient } from "./sql";
import { splitStatements } from "./split-statements";

/**
 * Applies prisma/migrations/* the way `prisma migrate deploy` does, recording each in
 * `_prisma_migrations` with Prisma's checksum, so `prisma migrate status/deploy` keep working on the
 * same database for anyone who has Prisma's native engine. Consecutive pending migrations run in one
 * transaction together with their history rows: a failure leaves nothing of them behind. A migration with a
 * `CONCURRENTLY` statement (an index built on a big table without blocking writes) cannot run in a
 * transaction: it runs alone, statement by statement, and a failure leaves its history row unfinished with
 * the error in `logs` — what Prisma shows as a failed migration.
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

/** Whether a migration must run outside a transaction (a statement of it says CONCURRENTLY). */
export const runsOutsideTransaction = (m: Migration) => splitStatements(m.sql).some((statement) => /\bCONCURRENTLY\b/i.test(statement));

/** How long an instance waits between tries for the lock another instance holds while it migrates. */
const LOCK_RETRY_MS = 200;

export async function migrate(sql: SqlClient, migrations = readMigrations()): Promise<string[]> {
  // One connection for the whole run, holding a session-level lock: concurrent starts of several instances
  // migrate once. The statement timeout is lifted for it (an index build or a migration may take long).
  return sql.session(async (conn) => {
    await conn.exec(`SET statement_timeout = 0`);
    await lock(conn);
    try {
      return await applyPending(conn, migrations);
    } finally {
      await conn.exec(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    }
  });
}

/**
 * Try, then sleep, rather than block in pg_advisory_lock: a waiting instance must not sit in a statement
 * while the holder builds an index CONCURRENTLY, which waits for every older snapshot to end — a deadlock.
 */
async function lock(conn: SqlClient): Promise<void> {
  for (;;) {
    const [row] = await conn.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`);
    if (row?.locked) return;
    await sleep(LOCK_RETRY_MS);
  }
}

async function applyPending(conn: SqlClient, migrations: Migration[]): Promise<string[]> {
  const applied: string[] = [];
  let pending: Migration[] = [];
  // The history table, the check and the first run of transactional migrations share one transaction.
  await conn.transaction(async (tx) => {
    await tx.exec(HISTORY_TABLE);
    pending = await pendingOf(tx, migrations);
    applied.push(...(await applyInTransaction(tx, takeTransactional(pending))));
  });
  while (pending.length > 0) {
    const alone = pending.shift()!;
    await applyOutsideTransaction(conn, alone);
    applied.push(alone.name);
    const batch = takeTransactional(pending);
    if (batch.length > 0) applied.push(...(await conn.transaction((tx) => applyInTransaction(tx, batch))));
  }
  return applied;
}

/** Removes and returns the leading migrations of `pending` that run in a transaction. */
function takeTransactional(pending: Migration[]): Migration[] {
  const end = pending.findIndex(runsOutsideTransaction);
  return pending.splice(0, end === -1 ? pending.length : end);
}

async function pendingOf(tx: SqlClient, migrations: Migration[]): Promise<Migration[]> {
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
  return migrations.filter((m) => !done.has(m.name));
}

async function applyInTransaction(tx: SqlClient, batch: Migration[]): Promise<string[]> {
  for (const m of batch) {
    const id = await started(tx, m);
    try {
      await tx.exec(m.sql);
    } catch (err) {
      throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`);
    }
    await finished(tx, id);
  }
  return batch.map((m) => m.name);
}

/** Each statement commits on its own; the history row is written first, so a failure is on record. */
async function applyOutsideTransaction(conn: SqlClient, m: Migration): Promise<void> {
  const id = await started(conn, m);
  for (const statement of splitStatements(m.sql)) {
    try {
      await conn.exec(statement);
    } catch (err) {
      const message = `Migration ${m.name} failed: ${(err as Error).message}`;
      await conn.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, `${message}\n\nStatement:\n${statement}`]);
      throw new MigrationError(message);
    }
  }
  await finished(conn, id);
}

async function started(sql: SqlClient, m: Migration): Promise<string> {
  const id = randomUUID();
  await sql.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`, [
    id,
    m.checksum,
    m.name,
  ]);
  return id;
}

const finished = (sql: SqlClient, id: string) =>
  sql.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
