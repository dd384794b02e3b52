/**
 * What a driver failure means, read from the driver's own code: better-sqlite3's `SqliteError`
 * (`code` like `SQLITE_FULL`, `SQLITE_IOERR_WRITE`), pg's `DatabaseError` (`code`, the SQLSTATE)
 * and Node's socket errors (`ECONNREFUSED`). The reason travels on `StoreError` so callers decide
 * by it (retry a lost connection; stop on a full or read-only disk) instead of reading messages;
 * the message stays the driver's original one, the real cause.
 */
import { StoreError, type StoreErrorReason } from "@recert/core"

const SQLITE_REASONS: ReadonlyArray<readonly [string, StoreErrorReason]> = [
  ["SQLITE_FULL", "disk-full"],
  ["SQLITE_READONLY", "read-only"],
  ["SQLITE_IOERR", "io"],
  ["SQLITE_CANTOPEN", "io"],
  ["SQLITE_CORRUPT", "io"],
  ["SQLITE_NOTADB", "io"],
  ["SQLITE_BUSY", "busy"],
  ["SQLITE_LOCKED", "busy"]
]

/** SQLSTATEs (exact, or a class by its first two characters) and what they mean. */
const POSTGRES_REASONS: Readonly<Record<string, StoreErrorReason>> = {
  "53100": "disk-full", // disk_full
  "25006": "read-only", // read_only_sql_transaction (a standby)
  "58030": "io", // io_error
  "40001": "busy", // serialization_failure
  "40P01": "busy", // deadlock_detected
  "55P03": "busy", // lock_not_available
  "57P01": "unavailable", // admin_shutdown (restart, pg_terminate_backend)
  "57P02": "unavailable", // crash_shutdown
  "57P03": "unavailable", // cannot_connect_now (starting up)
  // too_many_connections: every client of a restarted server reconnects at once (and other
  // clients of a shared server take their share); the same call succeeds once some have gone.
  "53300": "unavailable",
  "08": "unavailable" // connection_exception, the whole class
}

const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"])

/**
 * pg reports a connection that went away, or a pool that could not connect in time, with an Error
 * that has no code; these are its messages (pg 8.x), the one place a message is read.
 */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed)/

const codeOf = (error: unknown): string | undefined => {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined
  return typeof code === "string" && code !== "" ? code : undefined
}

/** The reason a driver error stands for, or undefined when it is not one the store knows. */
export const reasonOf = (error: unknown): StoreErrorReason | undefined => {
  const code = codeOf(error)
  if (code !== undefined) {
    if (code.startsWith("SQLITE_")) return SQLITE_REASONS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`))?.[1]
    if (SOCKET_CODES.has(code)) return "unavailable"
    if (code === "55000" && error instanceof Error && DATABASE_NOT_ACCEPTING.test(error.message)) return "unavailable"
    return POSTGRES_REASONS[code] ?? (/^[0-9A-Z]{5}$/.test(code) ? POSTGRES_REASONS[code.slice(0, 2)] : undefined)
  }
  return error instanceof Error && PG_CONNECTION_LOST.test(error.message) ? "unavailable" : undefined
}

/**
 * 55000 (object_not_in_prerequisite_state) is broad; at connect time it is a database whose
 * connections are turned off for the moment (`ALLOW_CONNECTIONS false`, as during maintenance or a
 * failover): unavailable, like a restart. Only that message is read as such.
 */
const DATABASE_NOT_ACCEPTING = /is not currently accepting connections/

/** The `StoreError` for a driver failure in `operation`: the original message, its reason and code. */
export const storeErrorFrom = (operation: string, error: unknown): StoreError => {
  const reason = reasonOf(error)
  const code = codeOf(error)
  return new StoreError({
    operation,
    message: error instanceof Error ? error.message : String(error),
    ...(reason !== undefined ? { reason } : {}),
    ...(code !== undefined ? { code } : {})
  })
}
