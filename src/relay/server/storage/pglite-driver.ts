import { PGlite } from '@electric-sql/pglite'
import type { SqlDriver, SqlExecutor } from './sql-driver'

/** PostgreSQL compiled to WebAssembly, in a folder: the relay runs with no set-up. One connection, so transactions never interleave. */
export async function openPgliteDriver(directory: string): Promise<SqlDriver> {
  const db = await PGlite.create(directory)
  const executorOf = (target: Pick<PGlite, 'query'>): SqlExecutor => ({
    query: async <Row extends object>(sql: string, params: readonly unknown[] = []) => (await target.query<Row>(sql, [...params])).rows,
  })
  return {
    kind: 'pglite',
    ...executorOf(db),
    transaction: (work) => db.transaction((tx) => work(executorOf(tx))),
    close: () => db.close(),
  }
}
