import pg from "pg";

/** Admin connection: BENCH_PG_URL, default the local cluster's `postgres` database. Only 127.0.0.1 is allowed. */
export const ADMIN_URL = new URL(process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
if (!["127.0.0.1", "localhost"].includes(ADMIN_URL.hostname)) {
  throw new Error(`BENCH_PG_URL must point at 127.0.0.1, not ${ADMIN_URL.hostname}`);
}
ADMIN_URL.hostname = "127.0.0.1";

export const dbUrl = (name) => Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString();

/** Runs `fn` on a fresh connection (the admin database unless another URL is given); bounded in time. */
export async function withClient(fn, connectionString = ADMIN_URL.toString()) {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000, query_timeout: 120_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** One query on the benchmark database; returns the rows. */
export const query = (database, text, params) => withClient(async (c) => (await c.query(text, params)).rows, dbUrl(database));

const SETTINGS_SQL =
  "SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync, current_setting('max_connections') AS maxconn";

/** Creates the database; returns the cluster's version and the settings that matter for the figures. */
export async function createDatabase(name) {
  return withClient(async (c) => {
    await c.query(`CREATE DATABASE ${name}`);
    return (await c.query(SETTINGS_SQL)).rows[0];
  });
}

/** The cluster's version and settings, as createDatabase answers them. */
export const serverVersion = () => withClient(async (c) => (await c.query(SETTINGS_SQL)).rows[0]);

export async function dropDatabase(name) {
  await withClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Measured phases start from the same state: the logs table vacuumed (dead rows gone, GIN pending list
 * merged, statistics fresh) and a fresh checkpoint, so none pays for another's leftovers. CHECKPOINT is
 * skipped when not permitted.
 */
export async function settle(database) {
  await withClient(async (c) => {
    await c.query("VACUUM (ANALYZE) logs");
    await c.query("CHECKPOINT").catch(() => undefined);
  }, dbUrl(database));
}

/** Postgres transactions committed in the database so far (published late by backends: read after they exit). */
export async function commits(database) {
  const rows = await withClient((c) => c.query("SELECT xact_commit::float8 AS n FROM pg_stat_database WHERE datname = $1", [database]));
  return rows.rows[0].n;
}

/** `count` sequential runs of one statement on one connection of `database`: their times (ms) and the last rows. */
export async function timedSql(database, text, params, count) {
  return withClient(async (client) => {
    const ms = [];
    let rows;
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      rows = (await client.query(text, params)).rows;
      ms.push(performance.now() - t0);
    }
    return { ms, rows };
  }, dbUrl(database));
}
