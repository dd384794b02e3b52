/**
 * Opens the database a URL names: `postgres://` or `postgresql://` is Postgres, anything else a
 * SQLite file path (or `:memory:`). The default is `DATABASE_URL`, else `.recert/recert.sqlite`.
 */
import type { Kysely, LogConfig } from "kysely"
import type { Database } from "./database.js"
import type { DialectAdapter } from "./dialect/adapter.js"
import { isValidSchemaName, openPostgres, postgresAdapter } from "./dialect/postgres.js"
import { openSqliteWithAdapter } from "./dialect/sqlite.js"

export const DEFAULT_SQLITE_PATH = ".recert/recert.sqlite"

export interface OpenedDatabase {
  readonly db: Kysely<Database>
  readonly adapter: DialectAdapter
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url)

export const defaultDatabaseUrl = (): string => {
  const env = process.env["DATABASE_URL"]
  return env !== undefined && env !== "" ? env : DEFAULT_SQLITE_PATH
}

/**
 * Opens a database without running migrations (benchmarks, tools). The store layer owns its own.
 *
 * @example
 * const { db, adapter } = openDatabase("/tmp/bench.sqlite")
 * const n = await db.selectFrom("cases").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst()
 * await db.destroy()
 */
export const openDatabase = (url: string = defaultDatabaseUrl(), options: { readonly schema?: string; readonly poolSize?: number; readonly log?: LogConfig } = {}): OpenedDatabase => {
  if (isPostgresUrl(url)) {
    const schema = options.schema ?? "public"
    if (!isValidSchemaName(schema)) throw new Error(`invalid Postgres schema name: ${schema}`)
    return { db: openPostgres(url, schema, options.poolSize, options.log), adapter: postgresAdapter(schema) }
  }
  return openSqliteWithAdapter(url, options.log)
}
