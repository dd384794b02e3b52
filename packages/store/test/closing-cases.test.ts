/**
 * Lender pre-closing cases in the store (issue 18, migration 0012_timing): the closing date
 * imported from CSV and JSON Lines (due date and cycle filled from it, or checked against it),
 * read back on every path (getCase, snapshots, reserve's own read), and moved by `moveClosing`
 * with the due date, the last verification kept for the planner to judge.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { parseCsvCases, parseJsonCases } from "../src/import/case-file.js"
import { generateEncryptionKey, SqlStore, Store } from "../src/index.js"

const NOW = Date.parse("2027-06-20T10:00:00Z")
const values = (r: ReturnType<typeof parseCsvCases>) => ("issues" in r ? r.issues.map((i) => [i.line, i.field, i.message]) : r.cases.map((c) => c.value))

describe("case files: closingDate", () => {
  it("CSV: without dueAt and cycle columns, they come from the closing date", () => {
    expect(values(parseCsvCases("id,rootOrderId,closingDate,product\nloan-1,o,2027-07-09,\nloan-2,o,2027-07-16,income\n", NOW))).toEqual([
      { id: "loan-1", dueAt: "2027-07-09T00:00:00.000Z", cycle: "ad-hoc", rootOrderId: "o", product: null, lastVerifiedAt: null, closingDate: "2027-07-09" },
      { id: "loan-2", dueAt: "2027-07-16T00:00:00.000Z", cycle: "ad-hoc", rootOrderId: "o", product: "income", lastVerifiedAt: null, closingDate: "2027-07-16" }
    ])
  })

  it("JSON Lines: a review case and a lender case side by side; a dueAt or cycle that disagrees with the closing date is refused", () => {
    expect(values(parseJsonCases([
      "{\"id\":\"a\",\"dueAt\":\"2027-12-01T00:00:00Z\",\"cycle\":\"annual\",\"rootOrderId\":\"o\"}",
      "{\"id\":\"b\",\"rootOrderId\":\"o\",\"closingDate\":\"2027-07-09\",\"dueAt\":\"2027-07-09T00:00:00Z\"}"
    ].join("\n"), NOW)).map((c) => Array.isArray(c) ? c : [c.id, c.dueAt, c.cycle, c.closingDate ?? null])).toEqual([
      ["a", "2027-12-01T00:00:00Z", "annual", null],
      ["b", "2027-07-09T00:00:00Z", "ad-hoc", "2027-07-09"]
    ])
    expect(values(parseJsonCases([
      "{\"id\":\"b\",\"rootOrderId\":\"o\",\"closingDate\":\"2027-07-09\",\"dueAt\":\"2027-07-08T00:00:00Z\",\"cycle\":\"annual\"}",
      "{\"id\":\"c\",\"rootOrderId\":\"o\",\"closingDate\":\"2027-02-30\"}"
    ].join("\n"), NOW))).toEqual([
      [1, "dueAt", "a case with a closingDate is due at the start of its note date (2027-07-09T00:00:00.000Z); leave dueAt empty or give that instant"],
      [1, "cycle", "a case with a closingDate is not rescheduled: its cycle is ad-hoc (or empty), not annual"],
      [2, "dueAt", "Invalid input: expected string, received undefined"],
      [2, "cycle", "Invalid option: expected one of \"annual\"|\"semiannual\"|\"quarterly\"|\"monthly\"|\"ad-hoc\""],
      [2, "closingDate", "Invalid ISO date"]
    ])
  })

  it("CSV without closingDate still requires dueAt and cycle", () => {
    expect(values(parseCsvCases("id,rootOrderId\n", NOW))).toEqual([[1, "dueAt", "missing column"], [1, "cycle", "missing column"]])
  })
})

describe("the store: closing date stored, read back, moved", () => {
  const dir = mkdtempSync(join(tmpdir(), "recert-closing-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("imports, reads on every path, moves (the due date with it; the verification kept), refuses a review case", async () => {
    const layer = SqlStore.layer({ url: join(dir, "db.sqlite"), encryptionKey: generateEncryptionKey() })
    const r = await Effect.runPromise(Effect.gen(function*() {
      const store = yield* Store
      yield* store.insertLineage({
        rootOrderId: "root", orderType: "income", gse: true,
        orders: [{ id: "root", parentId: null, createdAt: "2027-06-01T00:00:00Z" }],
        connections: [{ id: "link-1", suborderId: "sub-1", provider: "adp", authKind: "session", authenticatedAt: "2027-06-01T00:00:00Z" }]
      }, { "link-1": Redacted.make("tok-1") })
      yield* store.importCases("id,dueAt,cycle,rootOrderId,closingDate,lastVerifiedAt\nloan-1,,,root,2027-07-09,2026-11-01T12:00:00Z\nrev-1,2027-12-01T00:00:00Z,annual,root,,\n", "csv")
      const read = (yield* store.getCase("loan-1")).closingDate
      const snapshot = (yield* store.loadSnapshot("loan-1")).case.closingDate
      const moved = yield* store.moveClosing("loan-1", "2027-07-23")
      const after = yield* store.getCase("loan-1")
      const review = yield* store.moveClosing("rev-1", "2027-07-23")
      const missing = yield* store.moveClosing("nope", "2027-07-23")
      const reviewCase = yield* store.getCase("rev-1")
      return { read, snapshot, moved, after, review, missing, reviewClosing: reviewCase.closingDate }
    }).pipe(Effect.provide(layer)))
    expect(r.read).toBe("2027-07-09")
    expect(r.snapshot).toBe("2027-07-09")
    expect(r.moved).toEqual({ _tag: "Moved", from: "2027-07-09", to: "2027-07-23", dueAt: "2027-07-23T00:00:00.000Z" })
    expect(r.after).toEqual({ id: "loan-1", dueAt: "2027-07-23T00:00:00.000Z", cycle: "ad-hoc", rootOrderId: "root", product: null, lastVerifiedAt: "2026-11-01T12:00:00.000Z", closingDate: "2027-07-23" })
    expect(r.review).toEqual({ _tag: "NotAClosingCase" })
    expect(r.missing).toEqual({ _tag: "NotFound" })
    expect(r.reviewClosing).toBeUndefined()
  })
})
