/**
 * Opens the database a URL names: `postgres://` or `postgresql://` is Postgres, anything else a
 * SQLite file path (or `:memory:`). The default is `DATABASE_URL`, else `.recert/recert.sqlite`.
 *
 * A SQLite path is checked before the driver sees it, so an operator's typo is a named
 * `DatabaseUnavailable` instead of a new empty database or a driver trace: a directory is refused,
 * and a missing file is created only when `create` is true (the default for library callers;
 * the apps ask for it explicitly). `readOnly` opens an existing file without ever writing it, and
 * a Postgres database with read-only sessions.
 */
import { statSync } from "node:fs"
import type { Kysely, LogConfig } from "kysely"
import type { Database } from "./database.js"
import type { DialectAdapter } from "./dialect/adapter.js"
import { isValidSchemaName, openPostgres, postgresAdapter } from "./dialect/postgres.js"
import { openSqliteWithAdapter } from "./dialect/sqlite.js"
import { openSqliteReadOnly } from "./dialect/sqlite-read-only.js"
import { DatabaseUnavailable } from "./errors.js"

export const DEFAULT_SQLITE_PATH = ".recert/recert.sqlite"

export interface OpenedDatabase {
  readonly db: Kysely<Database>
  readonly adapter: DialectAdapter
}

export interface OpenDatabaseOptions {
  readonly schema?: string
  readonly poolSize?: number
  readonly log?: LogConfig
  /** SQLite: create the file (and its directory) when missing. Default true. */
  readonly create?: boolean
  /**
   * Never write: SQLite opens an existing file read-only; Postgres makes every pooled connection's
   * transactions read-only (`default_transaction_read_only`). Default false.
   */
  readonly readOnly?: boolean
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url)

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`: a password never reaches a message. */
export const redactDatabaseUrl = (url: string): string => url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, "$1:***@")

export const defaultDatabaseUrl = (): string => {
  const env = process.env["DATABASE_URL"]
  return env !== undefined && env !== "" ? env : DEFAULT_SQLITE_PATH
}

const sqliteError = (file: string, error: unknown): unknown => {
  const code = (error as { code?: unknown }).code
  if (code === "SQLITE_NOTADB") return new DatabaseUnavailable({ database: file, reason: "not-a-database", detail: "not a SQLite database (is it the right file?)" })
  return error
}

const openSqliteFile = (file: string, options: OpenDatabaseOptions): OpenedDatabase => {
  const kind = (() => { try { return statSync(file).isDirectory() ? "directory" : "file" } catch { return "missing" } })()
  if (kind === "directory") throw new DatabaseUnavailable({ database: file, reason: "is-a-directory", detail: "is a directory, not a database file" })
  if (kind === "missing" && (options.readOnly === true || options.create === false)) {
    throw new DatabaseUnavailable({ database: file, reason: "missing", detail: "no such database file (nothing was created)" })
  }
  try {
    return options.readOnly === true ? openSqliteReadOnly(file, options.log) : openSqliteWithAdapter(file, options.log)
  } catch (error) {
    throw sqliteError(file, error)
  }
}

/**
 * Opens a database without running migrations (benchmarks, tools). The store layer owns its own.
 * Throws `DatabaseUnavailable` for a SQLite path that is a directory, not a database, or missing
 * when `create` is false.
 *
 * @example
 * const { db, adapter } = openDatabase("/tmp/bench.sqlite")
 * const n = await db.selectFrom("cases").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst()
 * await db.destroy()
 */
export const openDatabase = (url: string = defaultDatabaseUrl(), options: OpenDatabaseOptions = {}): OpenedDatabase => {
  if (isPostgresUrl(url)) {
    const schema = options.schema ?? "public"
    if (!isValidSchemaName(schema)) throw new Error(`invalid Postgres schema name: ${schema}`)
    return { db: openPostgres(url, schema, options.poolSize, options.log, console.warn, options.readOnly === true), adapter: postgresAdapter(schema) }
  }
  if (url === ":memory:") return openSqliteWithAdapter(url, options.log)
  return openSqliteFile(url, options)
}
