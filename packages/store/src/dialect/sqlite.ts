/**
 * SQLite through better-sqlite3: one file, WAL (readers never block the writer), a busy timeout
 * (writers from other processes queue instead of failing), foreign keys on, and
 * `synchronous = FULL`: every commit is on disk before it returns, so a reservation survives an OS
 * crash or a power loss once `reserve` has returned (the refresh is sent only after that). Write
 * transactions are `BEGIN IMMEDIATE`; a failed one keeps its original error (see `writeTransactionWith`).
 */
import BetterSqlite3 from "better-sqlite3"
import { Kysely, type LogConfig, sql, SqliteDialect } from "kysely"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { Database } from "../database.js"
import type { DialectAdapter } from "./adapter.js"

/** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000

/** Every commit durable before it returns (see `openSqliteWithAdapter`). */
export const SQLITE_SYNCHRONOUS = "FULL"

/**
 * A write transaction on kysely's one SQLite connection. kysely's SQLite driver has one connection
 * behind a mutex; `connection()` holds it for the whole callback, so in-process callers queue on
 * the mutex and other processes on busy_timeout.
 *
 * On SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM (and some SQLITE_BUSY) SQLite may roll the
 * transaction back itself; a ROLLBACK then fails with "cannot rollback - no transaction is
 * active", and that error used to replace the real one (a full disk reported as a rollback
 * problem). So: roll back only while a transaction is open (`inTransaction`, better-sqlite3's
 * own flag; unknown: try), never let the rollback's failure hide the error that caused it, and
 * rethrow the original.
 */
const writeTransactionWith = (inTransaction: () => boolean): DialectAdapter["writeTransaction"] => (db, fn) =>
  db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn)
    try {
      const result = await fn(conn)
      await sql`commit`.execute(conn)
      return result
    } catch (error) {
      if (inTransaction()) await sql`rollback`.execute(conn).catch(() => undefined)
      throw error
    }
  })

const sqliteBase: DialectAdapter = {
  name: "sqlite",
  instantType: "integer",
  autoIdType: "integer",
  autoIdAutoIncrement: true,
  migrationTableSchema: undefined,
  maxParams: 32_766,
  skipLocked: false,
  rowLocks: false,
  writableCte: false,
  writeTransaction: writeTransactionWith(() => true),
  // The transaction above holds the database-wide write lock already: nothing finer to take.
  lockCaseConnections: async () => {}
}

/** The adapter without the raw-connection fast path (enough for everything but bulk loads). */
export const sqliteAdapter: DialectAdapter = sqliteBase

/**
 * The adapter bound to one better-sqlite3 connection, with the bulk-insert fast path: rows go
 * through one cached prepared statement per table and column list. Safe inside
 * `writeTransaction`: kysely's mutex holds the one connection for the transaction, and the raw
 * statements run synchronously on that same connection, inside the same transaction.
 */
export const sqliteAdapterFor = (database: BetterSqlite3.Database): DialectAdapter => {
  const statements = new Map<string, BetterSqlite3.Statement>()
  return {
    ...sqliteBase,
    writeTransaction: writeTransactionWith(() => database.inTransaction),
    bulkInsert: async (table, rows) => {
      const first = rows[0]
      if (first === undefined) return
      const columns = Object.keys(first)
      const key = `${table}(${columns.join(",")})`
      let statement = statements.get(key)
      if (statement === undefined) {
        statement = database.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) values (${columns.map(() => "?").join(", ")})`)
        statements.set(key, statement)
      }
      for (const row of rows) statement.run(columns.map((c) => row[c]))
    }
  }
}

/** Distinct SQL texts whose prepared statements are kept (IN lists of varying length make more). */
export const STATEMENT_CACHE_SIZE = 512

/**
 * The connection as kysely's SQLite driver sees it, with prepared statements cached by SQL text.
 * kysely prepares every query it runs; preparing (parsing and planning) costs about as much as
 * running a small indexed query, and the store runs the same few dozen texts over and over. A
 * cached statement still in use (an unfinished `iterate` of a stream) is not reused: a fresh one
 * is prepared. Eviction is oldest-inserted first.
 */
export const cachingPrepare = (database: BetterSqlite3.Database): { prepare: (sql: string) => BetterSqlite3.Statement; close: () => void } => {
  const cache = new Map<string, BetterSqlite3.Statement>()
  return {
    prepare: (text) => {
      const cached = cache.get(text)
      if (cached !== undefined && !cached.busy) return cached
      const statement = database.prepare(text)
      if (cached === undefined) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
        cache.set(text, statement)
      }
      return statement
    },
    close: () => { cache.clear(); database.close() }
  }
}

/** Opens (creating if needed) a SQLite file with the pragmas the store relies on. */
export const openSqliteWithAdapter = (file: string, log?: LogConfig): { db: Kysely<Database>; adapter: DialectAdapter } => {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true })
  const database = new BetterSqlite3(file)
  database.pragma("journal_mode = WAL")
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`)
  database.pragma("foreign_keys = ON")
  // Redaction (issue 19): deleted and overwritten content is zeroed in the file, not left in free space.
  database.pragma("secure_delete = ON")
  // FULL, not NORMAL: in WAL mode NORMAL syncs the WAL only at checkpoints, so an OS crash or a
  // power loss drops the last commits, reservations included, and their refreshes, already sent,
  // are sent again. FULL syncs the WAL at every commit (measured cost: docs/decisions.md).
  database.pragma(`synchronous = ${SQLITE_SYNCHRONOUS}`)
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingPrepare(database) }), ...(log !== undefined ? { log } : {}) }), adapter: sqliteAdapterFor(database) }
}

export const openSqlite = (file: string, log?: LogConfig): Kysely<Database> => openSqliteWithAdapter(file, log).db
