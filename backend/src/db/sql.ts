/** The small raw-SQL surface the migration runner and hot paths need, over pg or PGlite. */
export interface SqlClient {
  /**
   * `name` makes it a prepared statement on Postgres (planned once per connection): only for hot
   * statements whose text never changes. PGlite ignores it.
   */
  query<T = Record<string, unknown>>(text: string, params?: unknown[], name?: string): Promise<T[]>;
  /** Runs a multi-statement script (no parameters). */
  exec(script: string): Promise<void>;
  /** Runs `fn` inside one transaction on one connection. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one connection outside any transaction (for statements that refuse one, such as
   * `CREATE INDEX CONCURRENTLY`, and session-level advisory locks); its `transaction` opens a real one on
   * that connection. The connection is closed afterwards, so nothing set on it outlives `fn`. Inside a
   * transaction, `fn` joins it.
   */
  session<T>(fn: (conn: SqlClient) => Promise<T>): Promise<T>;
}
