/**
 * What differs between SQLite and Postgres, as data and a few small functions (kysely style):
 * column types for the one migration definition, how a write transaction takes its lock, and
 * how many bind parameters one statement may carry. Operations never test the dialect's name.
 */
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

export type DialectName = "sqlite" | "postgres"

export interface DialectAdapter {
  readonly name: DialectName
  /** Column type of an epoch-milliseconds instant. */
  readonly instantType: "integer" | "bigint"
  /** Column type of a generated integer primary key (with its modifiers). */
  readonly autoIdType: "integer" | "bigserial"
  readonly autoIdAutoIncrement: boolean
  /** Schema of kysely's migration table (Postgres: the store's schema), if any. */
  readonly migrationTableSchema: string | undefined
  /** Bind parameters per statement the driver accepts (bulk inserts are chunked under it). */
  readonly maxParams: number
  /** Whether `FOR UPDATE SKIP LOCKED` exists (claiming jobs without waiting on each other). */
  readonly skipLocked: boolean
  /**
   * Whether reads inside a write transaction must take row locks (`SELECT ... FOR UPDATE`) to
   * serialise writers. Postgres: yes. SQLite: no, `BEGIN IMMEDIATE` holds the database write lock.
   */
  readonly rowLocks: boolean
  /**
   * Whether one statement may chain INSERTs in `WITH` (Postgres' data-modifying CTEs): reserve then
   * writes its audit row, attempt and attempt connections in one round trip. SQLite: three
   * statements, in-process, cheap with cached prepared statements.
   */
  readonly writableCte: boolean
  /**
   * Runs `fn` in a write transaction. SQLite: `BEGIN IMMEDIATE`, the database-wide write lock
   * taken up front, so a reader-then-writer can never be overtaken between its read and its write
   * (a deferred BEGIN would fail with SQLITE_BUSY at the upgrade instead of queueing). Postgres:
   * an ordinary READ COMMITTED transaction; the operation takes row locks itself.
   */
  writeTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>
  /**
   * Serialises reservers of a case's connections inside `writeTransaction`. Postgres:
   * `SELECT ... FOR UPDATE` on the lineage's connection rows ordered by id (a fixed order, so two
   * reservers never deadlock). SQLite: nothing, the transaction already holds the write lock.
   */
  lockCaseConnections(trx: Kysely<Database>, caseId: string): Promise<void>
  /**
   * Optional fast path for bulk inserts inside `writeTransaction` (SQLite: one prepared statement
   * run per row on the raw connection, instead of compiling multi-row statements). Without it,
   * bulk inserts are chunked multi-row kysely INSERTs.
   */
  readonly bulkInsert?: (table: string, rows: ReadonlyArray<Readonly<Record<string, unknown>>>) => Promise<void>
}
