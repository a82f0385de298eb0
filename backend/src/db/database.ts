import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { Pool } from "pg";
import { PrismaClient } from "../generated/prisma/client";
import type { SqlClient } from "./sql";
import { pgSql } from "./pg-sql";
import { lockDataDir } from "./pglite-lock";

export type { PrismaClient };

export interface Database {
  kind: "postgres" | "pglite";
  prisma: PrismaClient;
  sql: SqlClient;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  timeouts?: DatabaseTimeouts;
}

/** Bounds on every wait for Postgres, so a hung database makes requests fail fast instead of waiting forever. */
export interface DatabaseTimeouts {
  /** Getting a connection (a new one, or one from a full pool). */
  connectMs: number;
  /** One statement, enforced by Postgres itself (`statement_timeout`). */
  statementMs: number;
  /** One query, enforced by the client: also when Postgres does not answer at all. */
  queryMs: number;
}

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connectMs: 5_000, statementMs: 15_000, queryMs: 20_000 };

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.poolSize ?? 20, opts.timeouts ?? DEFAULT_TIMEOUTS)
    : openPglite(opts.dataDir);
}

async function openPostgres(url: string, poolSize: number, timeouts: DatabaseTimeouts): Promise<Database> {
  const pool = new Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.queryMs,
    idle_in_transaction_session_timeout: Math.max(timeouts.queryMs, 60_000),
  });
  pool.on("error", () => {
    /* idle client errors surface on the next query */
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const sql = pgSql(pool);
  return {
    kind: "postgres",
    prisma,
    sql,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const release = lockDataDir(dataDir);
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    // Contrib extensions the migrations create (PGlite bundles them, loaded on demand).
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const pg = await PGlite.create(path.join(dataDir, "pgdata"), { extensions: { pg_trgm } });
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pg as never) });
    type Tx = Parameters<Parameters<typeof pg.transaction>[0]>[0];
    const txSql = (tx: Tx): SqlClient => ({
      async query(text, params) {
        return (await tx.query(text, params as unknown[])).rows as never[];
      },
      async exec(script) {
        await tx.exec(script);
      },
      async transaction(fn) {
        return fn(txSql(tx));
      },
      async session(fn) {
        return fn(txSql(tx));
      },
    });
    const sql: SqlClient = {
      async query(text, params) {
        return (await pg.query(text, params as unknown[])).rows as never[];
      },
      async exec(script) {
        await pg.exec(script);
      },
      async transaction(fn) {
        return pg.transaction((tx) => fn(txSql(tx)));
      },
      // PGlite is one connection: a session is that connection.
      async session(fn) {
        return fn(sql);
      },
    };
    return {
      kind: "pglite",
      prisma,
      sql,
      async close() {
        await prisma.$disconnect();
        await pg.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
