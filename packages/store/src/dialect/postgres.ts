/**
 * Postgres through `pg`: a pool, a schema of our own (`search_path`), int8 parsed to numbers
 * (our instants are epoch milliseconds, far below 2^53), row locks for reservations and
 * `SKIP LOCKED` for claiming jobs.
 */
import { Kysely, type LogConfig, PostgresDialect, sql } from "kysely"
import pg from "pg"
import type { Database } from "../database.js"
import type { DialectAdapter } from "./adapter.js"

const INT8_OID = 20

export const postgresAdapter = (schema: string): DialectAdapter => ({
  name: "postgres",
  instantType: "bigint",
  autoIdType: "bigserial",
  autoIdAutoIncrement: false,
  migrationTableSchema: schema,
  maxParams: 65_535,
  skipLocked: true,
  rowLocks: true,
  writableCte: true,
  writeTransaction: (db, fn) => db.transaction().execute(fn),
  lockCaseConnections: async (trx, caseId) => {
    await sql`select c.id from connections c join cases k on k.root_order_id = c.root_order_id
              where k.id = ${caseId} order by c.id for update of c`.execute(trx)
  }
})

/** A schema name we can splice into `search_path` and DDL safely. */
export const isValidSchemaName = (schema: string): boolean => /^[a-z_][a-z0-9_]{0,62}$/.test(schema)

export const openPostgres = (url: string, schema: string, poolSize = 10, log?: LogConfig): Kysely<Database> => {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Every connection works in our schema; `public` stays visible for extensions.
    options: `-c search_path=${schema},public`,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? "text") as unknown) as typeof pg.types.getTypeParser
    }
  })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(log !== undefined ? { log } : {}) })
}
