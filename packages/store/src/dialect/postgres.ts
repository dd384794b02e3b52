/**
 * Postgres through `pg`: a pool, a schema of our own (`search_path`), int8 parsed to numbers
 * (our instants are epoch milliseconds, far below 2^53), row locks for reservations and
 * `SKIP LOCKED` for claiming jobs. The pool survives Postgres restarts: see `watchConnections`.
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

/** How long taking a new connection may wait (pg's default is forever: a dead host hung every operation). */
export const CONNECT_TIMEOUT_MS = 10_000

/** The `application_name` of the store's connections: operators (and tests) find them in pg_stat_activity. */
export const applicationName = (schema: string): string => `recert ${schema}`.slice(0, 63)

/**
 * A Postgres restart (or `pg_terminate_backend`) makes every pooled connection fail. pg reports an
 * idle connection's failure as an `error` event on the pool, and a checked-out one's, between two
 * queries, on the client: an event nobody listens to is thrown, and the whole process exited. Here
 * both are heard: the pool drops the dead client and connects afresh on next use; the operation
 * that meets the dead connection fails with a retryable `StoreError` (reason `unavailable`). One
 * warning per outage (until a connection is made again), with the error's code only: never the URL.
 */
const watchConnections = (pool: pg.Pool, warn: (line: string) => void): void => {
  let warned = false
  const lost = (error: Error) => {
    if (warned) return
    warned = true
    const code = (error as { code?: unknown }).code
    warn(`recert store: a Postgres connection was lost (${typeof code === "string" ? code : "no code"}); reconnecting on next use`)
  }
  pool.on("error", lost)
  pool.on("connect", (client) => {
    warned = false
    client.on("error", lost)
  })
}

/**
 * Opens the pool. `readOnly`: every connection starts with `default_transaction_read_only=on`, so
 * each transaction (and each statement outside one) is read-only: a write fails with SQLSTATE
 * 25006 (`StoreError` reason `read-only`) instead of happening. It is set at connection start-up,
 * like `search_path`, so a connection the pool makes after a restart is read-only too. (A session
 * could still ask for READ WRITE explicitly; the store never does. A role with only SELECT grants
 * is what enforces it against anyone else.)
 */
export const openPostgres = (url: string, schema: string, poolSize = 10, log?: LogConfig, warn: (line: string) => void = console.warn, readOnly = false): Kysely<Database> => {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: applicationName(schema),
    // Every connection works in our schema; `public` stays visible for extensions.
    options: `-c search_path=${schema},public${readOnly ? " -c default_transaction_read_only=on" : ""}`,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? "text") as unknown) as typeof pg.types.getTypeParser
    }
  })
  watchConnections(pool, warn)
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(log !== undefined ? { log } : {}) })
}
