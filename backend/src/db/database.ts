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
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 20) : openPglite(opts.dataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new Pool({ connectionString: url, max: poolSize });
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
    const pg = await PGlite.create(path.join(dataDir, "pgdata"));
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
