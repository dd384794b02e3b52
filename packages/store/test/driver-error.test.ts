/**
 * driver-error.ts: the reason a driver's code stands for. The SQLite disk-full and read-only cases
 * and Postgres' terminated connections also run for real (sqlite-disk.test.ts,
 * postgres-restart.test.ts); the codes that cannot be produced on demand here (an I/O error, a
 * full disk or a standby on Postgres) are checked on the codes themselves.
 */
import { describe, expect, it } from "vitest"
import { reasonOf, storeErrorFrom } from "../src/driver-error.js"

const coded = (code: string, message = "driver message") => Object.assign(new Error(message), { code })

describe("driver errors", () => {
  it("read their reason from the driver's code", () => {
    const codes = ["SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_READONLY_DBMOVED", "SQLITE_BUSY", "SQLITE_CONSTRAINT_UNIQUE", "53100", "25006", "57P01", "08006", "40001", "23505", "ECONNREFUSED"]
    expect(codes.map((c) => reasonOf(coded(c)) ?? null)).toEqual(
      ["disk-full", "io", "read-only", "busy", null, "disk-full", "read-only", "unavailable", "unavailable", "busy", null, "unavailable"])
  })
  it("a server with every connection slot taken (53300, as when every worker reconnects after a restart) is unavailable: retryable, not a failing store", () => {
    const full = storeErrorFrom("claimJobs", coded("53300", "sorry, too many clients already"))
    expect([full.message, full.reason, full.code, full.retryable]).toEqual(["sorry, too many clients already", "unavailable", "53300", true])
    // Other insufficient-resources codes keep their own meaning (or none).
    expect(["53100", "53200", "53400"].map((c) => reasonOf(coded(c)) ?? null)).toEqual(["disk-full", null, null])
  })
  it("a database not accepting connections for the moment (55000 at connect, ALLOW_CONNECTIONS false) is unavailable; other 55000s keep no reason", () => {
    const off = storeErrorFrom("claimJobs", coded("55000", "database \"recert\" is not currently accepting connections"))
    expect([off.reason, off.code, off.retryable]).toEqual(["unavailable", "55000", true])
    expect(reasonOf(coded("55000", "cannot refresh materialized view concurrently")) ?? null).toBeNull()
  })
  it("pg's code-less connection errors are unavailable; anything else has no reason", () => {
    expect([new Error("Connection terminated unexpectedly"), new Error("boom"), "text"].map((e) => reasonOf(e) ?? null)).toEqual(["unavailable", null, null])
  })
  it("keep the driver's message and code, and are retryable only when busy or unavailable", () => {
    const full = storeErrorFrom("reserve", coded("SQLITE_FULL", "database or disk is full"))
    const lost = storeErrorFrom("countDue", coded("57P01", "terminating connection due to administrator command"))
    expect([full.operation, full.message, full.reason, full.code, full.retryable]).toEqual(["reserve", "database or disk is full", "disk-full", "SQLITE_FULL", false])
    expect([lost.reason, lost.code, lost.retryable]).toEqual(["unavailable", "57P01", true])
    const other = storeErrorFrom("x", new Error("boom"))
    expect([other.message, other.reason, other.code, other.retryable]).toEqual(["boom", undefined, undefined, false])
  })
})
