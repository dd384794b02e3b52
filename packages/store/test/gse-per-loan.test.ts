/**
 * The GSE free quota counts per loan (issue 18), on every dialect: a case is a loan, and after a
 * new order moved it to a new lineage (`moveLineage`), `reserve` and `loadSnapshot` give the
 * decision the loan's first order and its refreshes on the lineage it left, so the new order does
 * not restart the 5 free re-verifications.
 */
import { Effect, Redacted, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { aCase, lineage, NOW, run, tokensFor } from "./support/fixtures.js"

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

/** Reserves the case's refresh at the clock's now, sends it and records its success; the decision's cost. */
const refreshed = (caseId: string, connectionId: string, orderId: string) => Effect.gen(function*() {
  const store = yield* Store
  const { decision, attempt } = yield* store.reserve({ caseId, product: null })
  if (attempt === null) return yield* Effect.die(`no attempt for ${caseId}: ${JSON.stringify(decision.reasons)}`)
  yield* store.transitionAttempt(attempt.id, "sent", { orderId })
  yield* store.recordOutcome(attempt.id, connectionId, "done", iso(NOW))
  return [decision.cost.freeVerifications, decision.cost.billedVerifications, decision.cost.gseFreeRemaining] as const
})

for (const dialect of DIALECTS) {
  describe(`the GSE free quota per loan on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("after a new order, the loan's 4 earlier refreshes still count: the 5th is free, the 6th billed", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        for (const root of ["ga", "gb"]) {
          const l = lineage(root, [`${root}-l1`], true)
          yield* store.insertLineage(l, tokensFor(l))
          yield* store.insertCases([aCase(`case-${root}`, root)])
        }
        const before: Array<readonly [number, number, number | null]> = []
        for (let k = 0; k < 4; k++) {
          yield* TestClock.setTime(NOW + k * DAY)
          before.push(yield* refreshed("case-ga", "ga-l1", `ga-o${k}`))
        }
        const at = iso(NOW + 4 * DAY)
        yield* store.moveLineage({
          caseId: "case-ga", fromRootOrderId: "ga",
          lineage: {
            rootOrderId: "new-ga", orderType: "income", gse: true, orderNumber: "N-new-ga", userId: "user-ga", status: "open",
            orders: [{ id: "new-ga", parentId: null, createdAt: at }],
            connections: [{ id: "new-ga-l1", suborderId: "s-1", suborderNumber: "1", kind: "employer", provider: "adp", authKind: "oauth", authenticatedAt: at, lastTaskStatus: null, lastStatusAt: null }]
          },
          accessTokens: { "new-ga-l1": Redacted.make("token-new-PLAINTEXT") }
        })
        const snapshot = yield* store.loadSnapshot("case-ga")
        const untouched = yield* store.loadSnapshot("case-gb")
        const streamed = (yield* Stream.runCollect(store.streamDueCases({ until: "2027-01-01T00:00:00Z" })))
          .map((x) => [x.case.id, x.loan?.firstOrderAt ?? null, x.loan?.attempts.length ?? 0])
        yield* TestClock.setTime(NOW + 5 * DAY)
        const fifth = yield* refreshed("case-ga", "new-ga-l1", "new-ga-o1")
        yield* TestClock.setTime(NOW + 6 * DAY)
        const sixth = yield* store.reserve({ caseId: "case-ga", product: null })
        return {
          before, fifth,
          loan: [snapshot.loan?.firstOrderAt, snapshot.loan?.attempts.map((a) => [a.connectionIds, a.status])],
          untouched: untouched.loan, streamed,
          sixth: [sixth.decision.cost, sixth.decision.warnings.map((w) => w.message)]
        }
      }))
      expect(r.before).toEqual([[1, 0, 5], [1, 0, 4], [1, 0, 3], [1, 0, 2]])
      expect(r.loan).toEqual(["2026-10-01T00:00:00.000Z", [[["ga-l1"], "succeeded"], [["ga-l1"], "succeeded"], [["ga-l1"], "succeeded"], [["ga-l1"], "succeeded"]]])
      expect(r.untouched).toBeUndefined()
      // The due stream's pages load it too (the plan's free and billed counts).
      expect(r.streamed).toEqual([["case-ga", "2026-10-01T00:00:00.000Z", 4], ["case-gb", null, 0]])
      // Per order, the new lineage would have its own 5: [1, 0, 5] and then another free one.
      expect(r.fifth).toEqual([1, 0, 1])
      expect(r.sixth).toEqual([{ billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: 0 }, ["All 5 free GSE re-verifications of this loan are used; this refresh is billed"]])
    })
  })
}
