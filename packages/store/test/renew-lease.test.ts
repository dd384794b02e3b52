/**
 * `renewLease` (ops/renew-lease.ts) on every dialect: a job whose holder renews its lease is not
 * claimable past the first lease; a renewal by anyone but the holder, or after the lease was
 * taken over or the job finished, is `LeaseLost` and writes nothing. Time is TestClock.
 */
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { NOW, run } from "./support/fixtures.js"

const iso = (ms: number) => new Date(ms).toISOString()
const LEASE = 30_000

for (const dialect of DIALECTS) {
  describe(`renewLease on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("the holder extends its lease; others cannot claim meanwhile; once it is lost, renewal is LeaseLost", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* store.enqueueJobs([{ kind: "renew", payload: { caseId: "a" }, key: "renew:a" }])
        const claim = (workerId: string) => Effect.map(store.claimJobs({ workerId, kind: "renew", limit: 1, leaseMs: LEASE }), (js) => js.map((j) => [j.lockedBy, j.lockedUntil, j.attempts]))
        const [first] = yield* store.claimJobs({ workerId: "w1", kind: "renew", limit: 1, leaseMs: LEASE })
        const id = first!.id
        yield* TestClock.adjust("20 seconds")
        const renewed = yield* store.renewLease(id, "w1", LEASE)
        const byOther = yield* Effect.flip(store.renewLease(id, "w2", LEASE))
        yield* TestClock.adjust("20 seconds") // 40 s: past the first lease, inside the renewed one
        const whileHeld = yield* claim("w2")
        yield* TestClock.adjust("20 seconds") // 60 s: the renewed lease (until 50 s) has lapsed
        const takenOver = yield* claim("w2")
        const lost = yield* Effect.flip(store.renewLease(id, "w1", LEASE))
        const renewedByNewHolder = yield* store.renewLease(id, "w2", LEASE)
        yield* store.completeJob(id, "w2")
        const afterDone = yield* Effect.flip(store.renewLease(id, "w2", LEASE))
        return { renewed, byOther, whileHeld, takenOver, lost, renewedByNewHolder, afterDone }
      }))
      expect(r.renewed).toBe(iso(NOW + 20_000 + LEASE))
      expect(r.byOther).toMatchObject({ _tag: "LeaseLost", workerId: "w2" })
      expect(r.whileHeld).toEqual([])
      expect(r.takenOver).toEqual([["w2", iso(NOW + 60_000 + LEASE), 2]])
      expect(r.lost).toMatchObject({ _tag: "LeaseLost", workerId: "w1" })
      expect(r.renewedByNewHolder).toBe(iso(NOW + 60_000 + LEASE))
      expect(r.afterDone).toMatchObject({ _tag: "LeaseLost", workerId: "w2" })
    })
  })
}
