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
}
