/** The little the relay needs from a PostgreSQL connection; PGlite and `pg` both provide it (pglite-driver.ts, postgres-driver.ts). */
export interface SqlExecutor {
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>
}

export interface SqlDriver extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres'
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>
  close(): Promise<void>
}
