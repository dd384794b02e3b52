/**
 * Runs the migrations (on start, and on demand through `Store.migrate`). Idempotent: applied
 * migrations are skipped. Refuses, before touching anything, a database that holds migrations
 * this build does not know (it was migrated by a newer Recert).
 */
import { type Kysely, Migrator, sql } from "kysely"
import type { Database } from "./database.js"
import type { DialectAdapter } from "./dialect/adapter.js"
import { LATEST_MIGRATION, migrations } from "./migrations.js"

const MIGRATION_TABLE = "kysely_migration"

export interface SchemaVersion {
  /** The newest applied migration, or null for an empty database. */
  readonly current: string | null
  /** The newest migration this build knows. */
  readonly latest: string
  /** Known migrations not applied yet. */
  readonly pending: ReadonlyArray<string>
  /** Applied migrations this build does not know (non-empty means: the schema is newer). */
  readonly unknown: ReadonlyArray<string>
}

export interface MigrationReport {
  readonly applied: ReadonlyArray<string>
  readonly version: SchemaVersion
}

/** Thrown inside the migration promise; mapped to the `SchemaTooNew` error by the store. */
export class SchemaTooNewSignal extends Error {
  constructor(readonly unknown: ReadonlyArray<string>) {
    super("schema too new")
  }
}

/** Whether a driver error says our migration table (or, on Postgres, our schema) is not there yet. */
const isMissing = (error: unknown, d: DialectAdapter): boolean => {
  const code = (error as { code?: unknown }).code
  const message = String((error as { message?: unknown }).message)
  return code === "42P01" || /no such table/.test(message) ||
    (code === "3F000" && d.migrationTableSchema !== undefined && message.includes(`"${d.migrationTableSchema}"`))
}

/**
 * The applied migrations, read from kysely's table directly. Not through `db.introspection`: on
 * Postgres it reads every schema of the database (`pg_get_serial_sequence` on each table), and
 * fails with "schema ... does not exist" when another store's schema is dropped at that moment.
 */
const appliedMigrations = async (db: Kysely<Database>, d: DialectAdapter): Promise<Array<string>> => {
  const table = d.migrationTableSchema === undefined ? sql.table(MIGRATION_TABLE) : sql.table(`${d.migrationTableSchema}.${MIGRATION_TABLE}`)
  try {
    const { rows } = await sql<{ name: string }>`select name from ${table} order by name`.execute(db)
    return rows.map((r) => r.name)
  } catch (error) {
    if (isMissing(error, d)) return []
    throw error
  }
}

export const schemaVersion = async (db: Kysely<Database>, d: DialectAdapter): Promise<SchemaVersion> => {
  const known = Object.keys(migrations(d)).sort()
  const applied = await appliedMigrations(db, d)
  return {
    current: applied.at(-1) ?? null,
    latest: LATEST_MIGRATION,
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.includes(name))
  }
}

const BUSY_RETRIES = 20
const isBusy = (error: unknown): boolean =>
  error instanceof Error && ("code" in error && (error as { code?: unknown }).code === "SQLITE_BUSY" || /database is locked/.test(error.message))
/**
 * kysely's migrator looks for its tables through introspection, which on Postgres reads every
 * schema of the database: another store's schema dropped at that moment fails it with "schema
 * ... does not exist" (3F000, naming the other schema). Nothing was done; it is tried again.
 */
const isConcurrentDrop = (error: unknown, d: DialectAdapter): boolean =>
  (error as { code?: unknown }).code === "3F000" && !isMissing(error, d)

/**
 * Runs the migrations, retrying when another process holds SQLite's write lock. kysely's migrator
 * opens a deferred transaction, and two processes migrating a fresh file at once would otherwise
 * fail one of them with SQLITE_BUSY at the read-to-write upgrade. The wait is real time (it waits
 * on another process), not the Clock's.
 */
export const runMigrations = async (db: Kysely<Database>, d: DialectAdapter): Promise<MigrationReport> => {
  for (let attempt = 1; ; attempt++) {
    try {
      // kysely's SQLite migrator takes no lock and no transaction (its adapter assumes one
      // connection), so two processes could both find a migration pending and both run it. Without
      // row locks (SQLite), run the whole migration under the database write lock (`BEGIN
      // IMMEDIATE`): the second process waits, then finds everything applied.
      return await (d.rowLocks ? migrateOnce(db, d) : d.writeTransaction(db, (trx) => migrateOnce(trx, d)))
    } catch (error) {
      if (!(isBusy(error) || isConcurrentDrop(error, d)) || attempt >= BUSY_RETRIES) throw error
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 100 * attempt))
    }
  }
}

const migrateOnce = async (db: Kysely<Database>, d: DialectAdapter): Promise<MigrationReport> => {
  // Postgres: kysely's migrator creates the schema (`migrationTableSchema`) itself, tolerating a
  // concurrent creator, before any migration runs in it through `search_path`.
  const before = await schemaVersion(db, d)
  if (before.unknown.length > 0) throw new SchemaTooNewSignal(before.unknown)
  // Up to date: nothing for kysely's migrator to do (and its introspection is not needed).
  if (before.pending.length === 0) return { applied: [], version: before }
  const provider = { getMigrations: async () => migrations(d) }
  const migrator = new Migrator({
    db,
    provider,
    // Numbers are reserved per change and land in any order (0011 shipped before 0010): a
    // database migrated to a later number still gets an earlier one that arrives after it.
    allowUnorderedMigrations: true,
    ...(d.migrationTableSchema === undefined ? {} : { migrationTableSchema: d.migrationTableSchema })
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`)
  return {
    applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
    version: await schemaVersion(db, d)
  }
}
