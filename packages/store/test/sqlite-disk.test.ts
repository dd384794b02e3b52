/**
 * The SQLite store on a disk that loses power, fills up or turns read-only (issue 15):
 * - every connection the store opens commits with `synchronous = FULL` (WAL synced at each
 *   commit), so a reservation is on disk before `reserve` returns and the refresh is sent;
 * - a write that fills the disk (SQLITE_FULL, made here with `max_page_count`) or meets a
 *   read-only database (`query_only`) fails with a `StoreError` carrying SQLite's own message,
 *   code and reason, not "cannot rollback - no transaction is active" (SQLite had rolled back by
 *   itself), and leaves nothing half-written; the store works again once the disk does.
 */
import type BetterSqlite3 from "better-sqlite3"
import { Effect } from "effect"
import { sql } from "kysely"
import { describe, expect } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { sqlite, useTestDatabase } from "./support/dialects.js"
import { aCase, lineage, run, seed, tokensFor } from "./support/fixtures.js"
import { captureSqliteConnections } from "./support/sqlite-connections.js"

const FULL = 2
const bulk = (from: number, n: number) => Array.from({ length: n }, (_, i) => {
  const l = lineage(`ord-${from + i}`)
  return { lineage: l, accessTokens: tokensFor(l), cases: [aCase(`case-${from + i}`, `ord-${from + i}`)] }
})
/** The disk holds no more pages than the database has now. */
const fillDisk = (raw: BetterSqlite3.Database) => raw.pragma(`max_page_count = ${String(raw.pragma("page_count", { simple: true }))}`)
const freeDisk = (raw: BetterSqlite3.Database) => raw.pragma("max_page_count = 1073741823")

describe("SQLite store on a failing disk", () => {
  const opened = captureSqliteConnections()
  const suite = useTestDatabase(sqlite)
  const { test } = suite
  const storeConnection = () => {
    const connections = opened()
    expect(connections.length).toBe(1)
    return connections[0]!
  }

  test("every connection the store opens commits with synchronous = FULL, in WAL mode", async () => {
    const seen = await run(suite.t, Effect.sync(() => opened().map((c) => [c.pragma("synchronous", { simple: true }), c.pragma("journal_mode", { simple: true })])))
    expect(seen).toEqual([[FULL, "wal"]])
    // openDatabase (tools, benchmarks) opens the same way.
    const { db } = openDatabase(suite.t.url)
    try {
      const rows = await sql<{ synchronous: number }>`pragma synchronous`.execute(db)
      expect(rows.rows).toEqual([{ synchronous: FULL }])
    } finally {
      await db.destroy()
    }
  })

  test("a bulk insert that fills the disk fails as disk-full with SQLite's message; nothing is written; then it succeeds", async () => {
    const r = await run(suite.t, Effect.gen(function*() {
      const store = yield* Store
      yield* store.insertBulk(bulk(0, 5))
      const raw = storeConnection()
      fillDisk(raw)
      const error = yield* Effect.flip(store.insertBulk(bulk(100, 200)))
      freeDisk(raw)
      const afterFailure = (yield* store.listCases({ limit: 1000 })).length
      yield* store.insertBulk(bulk(100, 200))
      return { error, afterFailure, afterRetry: (yield* store.listCases({ limit: 1000 })).length }
    }))
    expect(r.error).toMatchObject({ _tag: "StoreError", operation: "insertBulk", reason: "disk-full", code: "SQLITE_FULL", message: "database or disk is full" })
    expect(r.error._tag === "StoreError" && r.error.retryable).toBe(false)
    expect([r.afterFailure, r.afterRetry]).toEqual([5, 205])
  })

  test("a reservation that fills the disk fails as disk-full; its case has no decision and no attempt", async () => {
    const r = await run(suite.t, Effect.gen(function*() {
      const store = yield* Store
      yield* store.insertBulk(bulk(1000, 300))
      const raw = storeConnection()
      fillDisk(raw)
      // Each reservation writes an audit row, an attempt and two links: the free room in the
      // last pages runs out after a few (the same one each run: same rows, same pages).
      let reserved = 0
      let failed: { caseId: string; error: unknown } | null = null
      for (let i = 1000; i < 1300 && failed === null; i++) {
        const caseId = `case-${i}`
        const outcome = yield* Effect.result(store.reserve({ caseId, product: null }))
        if (outcome._tag === "Success") reserved++
        else failed = { caseId, error: outcome.failure }
      }
      freeDisk(raw)
      if (failed === null) return { reserved, failed }
      const trace = { decisions: (yield* store.decisionsForCase(failed.caseId)).length, ledger: (yield* store.ledgerForCase(failed.caseId)).length }
      const retried = yield* store.reserve({ caseId: failed.caseId, product: null })
      return { reserved, failed, trace, retried: retried.attempt?.status }
    }))
    expect(r.failed?.error).toMatchObject({ _tag: "StoreError", operation: "reserve", reason: "disk-full", code: "SQLITE_FULL", message: "database or disk is full" })
    expect(r.reserved).toBeLessThan(300)
    expect(r.trace).toEqual({ decisions: 0, ledger: 0 })
    expect(r.retried).toBe("reserved")
  })

  test("a reservation on a read-only database fails as read-only with SQLite's message; nothing is written; then it succeeds", async () => {
    const r = await run(suite.t, Effect.gen(function*() {
      const store = yield* Store
      yield* seed("ro")
      const raw = storeConnection()
      raw.pragma("query_only = 1")
      const error = yield* Effect.flip(store.reserve({ caseId: "case-ro", product: null }))
      raw.pragma("query_only = 0")
      const ledger = (yield* store.ledgerForCase("case-ro")).length
      const retried = yield* store.reserve({ caseId: "case-ro", product: null })
      return { error, ledger, retried: retried.attempt?.status }
    }))
    expect(r.error).toMatchObject({ _tag: "StoreError", operation: "reserve", reason: "read-only", code: "SQLITE_READONLY", message: "attempt to write a readonly database" })
    expect([r.ledger, r.retried]).toEqual([0, "reserved"])
  })
})
