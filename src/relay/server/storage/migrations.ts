import type { SqlDriver } from './sql-driver'

/**
 * The relay's schema, one numbered step at a time; a step never changes once released, a new one
 * is added. The same SQL runs on PGlite and PostgreSQL.
 */
const MIGRATIONS: readonly { readonly version: number; readonly statements: readonly string[] }[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE devices (
        id text PRIMARY KEY,
        ward text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('device', 'hub')),
        jwk jsonb NOT NULL,
        enrolled_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE events (
        device_id text NOT NULL,
        seq bigint NOT NULL,
        hlc text NOT NULL,
        ward text NOT NULL,
        type text NOT NULL,
        v integer NOT NULL,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, seq)
      )`,
      'CREATE INDEX events_ward_order ON events (ward, hlc, device_id, seq)',
      // Per device: the highest seq held (the log is gap-free below it) and its clock; the row is the per-device writer lock.
      `CREATE TABLE frontiers (
        device_id text PRIMARY KEY,
        ward text NOT NULL,
        seq bigint NOT NULL,
        hlc text NOT NULL
      )`,
      'CREATE INDEX frontiers_ward ON frontiers (ward)',
      `CREATE TABLE blobs (
        sha256 text PRIMARY KEY,
        length bigint NOT NULL,
        upload_offset bigint NOT NULL DEFAULT 0,
        complete boolean NOT NULL DEFAULT false,
        storage_path text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE blob_wards (
        sha256 text NOT NULL,
        ward text NOT NULL,
        PRIMARY KEY (sha256, ward)
      )`,
      // The hub's replication to the city: what the city acknowledged.
      `CREATE TABLE upstream_blobs (sha256 text PRIMARY KEY)`,
      `CREATE TABLE relay_state (key text PRIMARY KEY, value jsonb NOT NULL)`,
    ],
  },
]

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version

export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())')
  for (const migration of MIGRATIONS) {
    await driver.transaction(async (tx) => {
      // Two city servers starting on one database at once: the second waits, then finds the step done.
      await tx.query('SELECT pg_advisory_xact_lock(7150001)')
      const done = await tx.query<{ version: number }>('SELECT version FROM schema_migrations WHERE version = $1', [migration.version])
      if (done.length > 0) return
      for (const statement of migration.statements) await tx.query(statement)
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version])
    })
  }
}
