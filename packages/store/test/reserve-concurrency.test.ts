/**
 * Many workers reserving refreshes for the same connections at the same instant never exceed
 * 3 per connection per 24 h. Workers are separate processes (both dialects) and, on Postgres,
 * also separate connection pools in this process. Two cases share one lineage, so reservers of
 * different cases contend for the same connections.
 */
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { LATEST_MIGRATION, Store } from "../src/index.js"
import { DIALECTS, type TestDatabase, useTestDatabase } from "./support/dialects.js"
import { aCase, lineage, NOW, run, storeLayer, tokensFor } from "./support/fixtures.js"
import { spawnWorker } from "./support/spawn.js"
import { Layer } from "effect"
import { TestClock } from "effect/testing"

const seedShared = (prefix: string) => Effect.gen(function*() {
  const store = yield* Store
  const a = lineage(`${prefix}-x`)
  const b = lineage(`${prefix}-y`)
  yield* store.insertLineage(a, tokensFor(a))
  yield* store.insertLineage(b, tokensFor(b))
  yield* store.insertCases([aCase(`${prefix}-c1`, `${prefix}-x`), aCase(`${prefix}-c2`, `${prefix}-x`), aCase(`${prefix}-c3`, `${prefix}-y`)])
})

const countsPerConnection = (t: TestDatabase, connectionIds: ReadonlyArray<string>) => run(t, Effect.gen(function*() {
  const store = yield* Store
  const out: Record<string, number> = {}
  for (const id of connectionIds) out[id] = (yield* store.ledgerForConnection(id)).filter((a) => a.status !== "rejected").length
  return out
}))

for (const dialect of DIALECTS) {
  describe(`concurrent reservations on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("4 processes x 5 rounds over 3 cases (2 sharing a lineage): exactly 3 refreshes per connection", async () => {
      await run(suite.t, seedShared("p"))
      const workers = Array.from({ length: 4 }, () => spawnWorker(suite.t, { MODE: "loop", CASES: "p-c1,p-c2,p-c3", ITERATIONS: "5", NOW: String(NOW) }))
      const outputs = await Promise.all(workers.map((w) => w.done()))
      const reserved = outputs.map((o) => (JSON.parse(o.trim().split("\n").at(-1)!) as { reserved: number }).reserved)
      expect(reserved.reduce((a, b) => a + b, 0)).toBe(6)
      expect(await countsPerConnection(suite.t, ["p-x-l1", "p-x-l2", "p-y-l1", "p-y-l2"])).toEqual({ "p-x-l1": 3, "p-x-l2": 3, "p-y-l1": 3, "p-y-l2": 3 })
    }, 120_000)

    test("4 processes starting at once on a fresh database all migrate and agree on the version", async () => {
      const fresh = await dialect.create()
      try {
        const workers = Array.from({ length: 4 }, () => spawnWorker(fresh, { MODE: "migrate", CASES: "-", NOW: String(NOW) }))
        const outputs = await Promise.all(workers.map((w) => w.done()))
        for (const o of outputs) expect(JSON.parse(o.trim())).toEqual({ current: LATEST_MIGRATION, latest: LATEST_MIGRATION, pending: [], unknown: [] })
      } finally {
        await fresh.cleanup()
      }
    }, 120_000)

    test("in-process: 8 concurrent fibers (and, on Postgres, 8 separate pools) never exceed the limit", async () => {
      await run(suite.t, seedShared("f"))
      // SQLite: one Store per process (its connection is serialised by kysely's mutex; a second
      // connection in the same process would block the event loop on the file lock).
      const layers = dialect.name === "postgres" ? 8 : 1
      const worker = Effect.gen(function*() {
        const store = yield* Store
        let n = 0
        for (let i = 0; i < 4; i++) {
          for (const caseId of ["f-c1", "f-c2", "f-c3"]) {
            const { attempt } = yield* store.reserve({ caseId, product: null })
            if (attempt === null) continue
            n++
            yield* store.transitionAttempt(attempt.id, "sent", { orderId: `ord-${attempt.id}` })
            for (const c of attempt.connectionIds) yield* store.recordOutcome(attempt.id, c, "done", new Date(NOW).toISOString())
          }
        }
        return n
      })
      // The clock is set inside the layer the store reads it from (a TestClock provided outside
      // would be another clock, and the store would decide at 1970).
      const perLayer = (fibers: number) => Effect.andThen(
        TestClock.setTime(NOW),
        Effect.all(Array.from({ length: fibers }, () => worker), { concurrency: "unbounded" })
      ).pipe(
        Effect.provide(Layer.merge(storeLayer(suite.t, { poolSize: 4 }), TestClock.layer())),
        Effect.scoped
      )
      const totals = await Effect.runPromise(Effect.all(
        Array.from({ length: layers }, () => perLayer(8 / layers)),
        { concurrency: "unbounded" }
      ))
      void totals
      expect(await countsPerConnection(suite.t, ["f-x-l1", "f-x-l2", "f-y-l1", "f-y-l2"])).toEqual({ "f-x-l1": 3, "f-x-l2": 3, "f-y-l1": 3, "f-y-l2": 3 })
    }, 120_000)
  })
}
