import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Pool } from "pg";
import { openDatabase } from "../src/db/database";
import { migrate, MIGRATIONS_DIR, readMigrations, runsOutsideTransaction, type Migration } from "../src/db/migrate";
import { pgSql } from "../src/db/pg-sql";
import { splitStatements } from "../src/db/split-statements";
import { APPLIED_RULES_SQL } from "../src/projections/rule-evaluations";
import { createTestDatabase, type TestDatabase } from "./helpers/postgres";

let db: TestDatabase;
let pool: Pool;

const sqlOver = pgSql;

beforeEach(async () => {
  db = await createTestDatabase({ migrated: false });
  pool = new Pool({ connectionString: db.url });
});
afterEach(async () => {
  await pool.end();
  await db.drop();
});

test("records each migration in _prisma_migrations exactly as Prisma Migrate does, once", async () => {
  const migrations = readMigrations();
  expect(migrations.length).toBeGreaterThan(0);
  expect(await migrate(sqlOver(pool))).toEqual(migrations.map((m) => m.name));
  expect(await migrate(sqlOver(pool))).toEqual([]);

  const { rows } = await pool.query(
    `SELECT id, checksum, migration_name, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY migration_name`,
  );
  expect(rows).toHaveLength(migrations.length);
  for (const [i, row] of rows.entries()) {
    const file = fs.readFileSync(path.join(MIGRATIONS_DIR, migrations[i]!.name, "migration.sql"), "utf8");
    expect(row).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      checksum: createHash("sha256").update(file).digest("hex"),
      migration_name: migrations[i]!.name,
      finished_at: expect.any(Date),
      rolled_back_at: null,
      applied_steps_count: 1,
      logs: null,
    });
  }
  const tables = (await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename);
  expect(tables).toEqual(expect.arrayContaining(["workspaces", "logs", "projects", "tasks", "rules", "deliveries", "hook_subscriptions"]));
});

test("instances starting together migrate once", async () => {
  const results = await Promise.all([1, 2, 3].map(() => migrate(sqlOver(pool))));
  expect(results.map((r) => r.length).sort()).toEqual([0, 0, readMigrations().length]);
});

test("a failing migration leaves nothing behind and says which one failed", async () => {
  const good: Migration = { name: "20000101000000_good", sql: "CREATE TABLE good_one (id int);", checksum: "a".repeat(64) };
  const bad: Migration = {
    name: "20000101000001_bad",
    sql: "CREATE TABLE half (id int); SELECT nope FROM nowhere;",
    checksum: "b".repeat(64),
  };
  await expect(migrate(sqlOver(pool), [good, bad])).rejects.toThrow(/20000101000001_bad failed: .*nowhere/);
  const tables = (await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename);
  expect(tables).not.toContain("half");
  expect(tables).not.toContain("good_one");
  expect(tables).not.toContain("_prisma_migrations");
});

test("refuses to go on past a migration Prisma recorded as failed", async () => {
  await migrate(sqlOver(pool), []);
  await pool.query(
    `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES (gen_random_uuid()::text, $1, 'x_failed', now())`,
    ["c".repeat(64)],
  );
  await expect(migrate(sqlOver(pool))).rejects.toThrow(/x_failed failed earlier/);
});

const migration = (name: string, sql: string): Migration => ({ name, sql, checksum: createHash("sha256").update(sql).digest("hex") });

/** An index build that refuses a transaction, between two ordinary migrations. */
const concurrentSet = (second = "CREATE INDEX CONCURRENTLY c_two ON c_t (b);") => [
  migration(
    "20000101000000_table",
    "CREATE TABLE c_t (a int, b text); INSERT INTO c_t SELECT g, 'x' || g FROM generate_series(1, 1000) g;",
  ),
  migration(
    "20000101000001_concurrent",
    `-- Built CONCURRENTLY; it says ';' here too. Dropped first, as the real ones are, so a run after a failure starts clean.\n` +
      `DROP INDEX CONCURRENTLY IF EXISTS c_one;\nCREATE INDEX CONCURRENTLY c_one ON c_t (a);\nDROP INDEX CONCURRENTLY IF EXISTS c_two;\n${second}\n`,
  ),
  migration("20000101000002_after", "CREATE TABLE c_after (id int);"),
];

describe("migrations with CONCURRENTLY", () => {
  test("run outside a transaction, statement by statement, recorded like the others, the next ones after them", async () => {
    const set = concurrentSet();
    expect(set.map(runsOutsideTransaction)).toEqual([false, true, false]);
    expect(await migrate(sqlOver(pool), set)).toEqual(set.map((m) => m.name));
    expect(await migrate(sqlOver(pool), set)).toEqual([]);
    const { rows } = await pool.query(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows).toEqual(
      set.map((m) => ({
        migration_name: m.name,
        checksum: m.checksum,
        finished_at: expect.any(Date),
        rolled_back_at: null,
        applied_steps_count: 1,
        logs: null,
      })),
    );
    const { rows: indexes } = await pool.query(
      `SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'c\\_%' ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { relname: "c_one", indisvalid: true },
      { relname: "c_two", indisvalid: true },
    ]);
  });

  test("a failure leaves the row Prisma sees as failed (the error in logs), keeps what ran before, and stops the next start", async () => {
    const set = concurrentSet("CREATE INDEX CONCURRENTLY c_two ON c_t (nope);");
    await expect(migrate(sqlOver(pool), set)).rejects.toThrow(/20000101000001_concurrent failed: .*nope/);
    const { rows } = await pool.query(`SELECT migration_name, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY 1`);
    expect(rows).toEqual([
      { migration_name: "20000101000000_table", finished_at: expect.any(Date), rolled_back_at: null, logs: null },
      {
        migration_name: "20000101000001_concurrent",
        finished_at: null,
        rolled_back_at: null,
        logs: expect.stringMatching(/failed: .*nope[\s\S]*CREATE INDEX CONCURRENTLY c_two ON c_t \(nope\)/),
      },
    ]);
    const tables = (await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map((r) => r.tablename);
    expect(tables).toContain("c_t");
    expect(tables).not.toContain("c_after");
    await expect(migrate(sqlOver(pool), set)).rejects.toThrow(/20000101000001_concurrent failed earlier/);
    // Resolved as rolled back (what `prisma migrate resolve --rolled-back` writes), it runs again from the start.
    await pool.query(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE finished_at IS NULL`);
    const fixed = concurrentSet();
    expect(await migrate(sqlOver(pool), fixed)).toEqual(["20000101000001_concurrent", "20000101000002_after"]);
  });

  test("the real migrations apply on the embedded database (PGlite) and are recorded the same way", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tracira-migrate-"));
    const embedded = await openDatabase({ dataDir });
    try {
      const all = readMigrations();
      expect(all.some(runsOutsideTransaction)).toBe(true);
      expect(await migrate(embedded.sql, all)).toEqual(all.map((m) => m.name));
      expect(await migrate(embedded.sql, all)).toEqual([]);
      const rows = await embedded.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND applied_steps_count = 1`,
      );
      expect(rows[0]!.n).toBe(all.length);
      const indexes = await embedded.sql.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'logs' AND indexname IN ('logs_search_trgm_idx', 'logs_pending_review_idx') ORDER BY 1`,
      );
      expect(indexes.map((i) => i.indexname)).toEqual(["logs_pending_review_idx", "logs_search_trgm_idx"]);
    } finally {
      await embedded.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

test("statements split outside quotes, dollar quotes and comments", () => {
  const script = [
    "-- a comment; with a semicolon",
    "CREATE TABLE a (t text DEFAULT 'x;y', \"we;ird\" int);",
    "/* block; */ CREATE FUNCTION f() RETURNS text AS $body$ SELECT 'a;b' $body$ LANGUAGE sql;",
    "INSERT INTO a VALUES (E'it\\'s; fine', 1);;",
    "DO $$ BEGIN PERFORM 1; END $$",
  ].join("\n");
  expect(splitStatements(script)).toEqual([
    "CREATE TABLE a (t text DEFAULT 'x;y', \"we;ird\" int)",
    "CREATE FUNCTION f() RETURNS text AS $body$ SELECT 'a;b' $body$ LANGUAGE sql",
    "INSERT INTO a VALUES (E'it\\'s; fine', 1)",
    "DO $$ BEGIN PERFORM 1; END $$",
  ]);
});

test("schema.prisma and the migrations agree (Prisma's own diff engine finds no change)", async () => {
  const root = path.resolve(__dirname, "../..");
  const { stdout } = await promisify(execFile)(process.execPath, ["scripts/migration-diff.mjs", "--print"], {
    cwd: root,
    timeout: 120_000,
  });
  expect(stdout).toMatch(/No schema changes/);
}, 150_000);

test("rule outcomes stored in logs.applied_rules before the evaluations migration become evaluation rows, read back as appliedRules", async () => {
  const all = readMigrations();
  const at = all.findIndex((m) => m.name.endsWith("_rule_outcomes_as_evaluations"));
  expect(at).toBeGreaterThan(0);
  await migrate(sqlOver(pool), all.slice(0, at));
  const { rows: ws } = await pool.query(
    `INSERT INTO workspaces (id, name, token_hash, token_prefix, updated_at) VALUES (gen_random_uuid(), 'w', 'h', 'wh-h', now()) RETURNING id`,
  );
  const { rows: pr } = await pool.query(`INSERT INTO projects (id, workspace_id, name) VALUES (gen_random_uuid(), $1, 'p') RETURNING id`, [
    ws[0].id,
  ]);
  const applied = [
    {
      ruleId: "r-1",
      ruleName: "No refunds",
      ruleType: "keyword_forbidden",
      ruleValue: "refund",
      scope: "global",
      outcome: "triggered",
      explanation: "found",
    },
    {
      ruleId: "r-2",
      ruleName: "Judge",
      ruleType: "llm_judge",
      ruleValue: "polite",
      scope: "project",
      outcome: "passed",
      explanation: "ok",
      confidence: 0.8,
    },
  ];
  await pool.query(
    `INSERT INTO logs (id, workspace_id, project_id, output, status, verdict, applied_rules, human_decision, decided_by, updated_at)
     VALUES ('old-log', $1, $2, 'x', 'flagged', 'flagged', $3::jsonb, 'rejected', 'ana', now())`,
    [ws[0].id, pr[0].id, JSON.stringify(applied)],
  );
  await migrate(sqlOver(pool), all);
  const { rows } = await pool.query(
    `SELECT id, evaluator, name, score, label, reason, position FROM evaluations WHERE trace_id = 'old-log' ORDER BY evaluator = 'human', position`,
  );
  expect(rows).toEqual([
    { id: "rule:r-1", evaluator: "rule.keyword_forbidden", name: "No refunds", score: 0, label: "fail", reason: "found", position: 0 },
    { id: "rule:r-2", evaluator: "llm_judge.unresolved", name: "Judge", score: 0.8, label: "pass", reason: "ok", position: 1 },
    { id: "human:old-log", evaluator: "human", name: "review", score: 0, label: "rejected", reason: null, position: 0 },
  ]);
  const { rows: back } = await pool.query(`SELECT ${APPLIED_RULES_SQL} AS applied FROM logs l WHERE id = 'old-log'`);
  expect(back[0].applied).toEqual(applied);
  const { rows: column } = await pool.query(
    `SELECT 1 FROM information_schema.columns WHERE table_name = 'logs' AND column_name = 'applied_rules'`,
  );
  expect(column).toEqual([]);
});
