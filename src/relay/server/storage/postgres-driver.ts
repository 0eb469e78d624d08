import pg from 'pg'
import type { SqlDriver, SqlExecutor } from './sql-driver'

// bigint columns (seq, lengths) come back as numbers: every value the relay stores is below 2^53.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)),
} as pg.CustomTypesConfig

/** A PostgreSQL server given by URL: for a city with its own database. */
export async function openPostgresDriver(connectionString: string): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString, max: 8, types })
  // Fail at start, with the server's message, rather than on the first request.
  await pool.query('SELECT 1')
  const executorOf = (target: Pick<pg.Pool, 'query'>): SqlExecutor => ({
    query: async <Row extends object>(sql: string, params: readonly unknown[] = []) => (await target.query<Row & pg.QueryResultRow>(sql, [...params])).rows,
  })
  return {
    kind: 'postgres',
    ...executorOf(pool),
    async transaction(work) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const result = await work(executorOf(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw error
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}
