/**
 * Validity learned from the ledger, in the store: one query + core's estimator over the recorded
 * outcomes (a needs-user failure is an event at its age since login, a success censors), and
 * `reserve` decides with the estimates of the last `refreshValidityEstimates` (never before).
 */
import { type LineageInput, PolicyConfig } from "@recert/core"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { aCase, run, tokensFor } from "./support/fixtures.js"

const sessionLineage = (root: string): LineageInput => ({
  rootOrderId: root, orderType: "income",
  orders: [{ id: root, parentId: null, createdAt: "2026-10-01T00:00:00.000Z" }],
  connections: [{ id: `${root}-l1`, suborderId: `${root}-emp`, provider: "adp", authKind: "session", authenticatedAt: "2026-10-01T00:00:00.000Z" }]
})

/** Seeds a session lineage and its case, refreshes it at the clock's now, and records `status`. */
const refreshWith = (root: string, status: "done" | "login_error") => Effect.gen(function*() {
  const store = yield* Store
  const l = sessionLineage(root)
  yield* store.insertLineage(l, tokensFor(l))
  yield* store.insertCases([aCase(`case-${root}`, root)])
  const { attempt } = yield* store.reserve({ caseId: `case-${root}`, product: null })
  yield* store.transitionAttempt(attempt!.id, "sent", { orderId: `${root}-o2` })
  yield* store.recordOutcome(attempt!.id, `${root}-l1`, status, "2026-11-22T10:05:00.000Z")
})

for (const dialect of DIALECTS) {
  describe(`validity estimates on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("learned from the recorded outcomes; reserve uses them only after a refresh", async () => {
      const fresh = await dialect.create()
      const policy = PolicyConfig.parse({ learning: { minSample: 2, minSuccess: 0.6 } })
      const r = await run(fresh, Effect.gen(function*() {
        const store = yield* Store
        const empty = yield* store.validityEstimates()
        yield* refreshWith("a", "login_error")
        yield* refreshWith("b", "done")
        const l = sessionLineage("c")
        yield* store.insertLineage(l, tokensFor(l))
        yield* store.insertCases([aCase("case-c", "c")])
        const estimates = yield* store.validityEstimates()
        // Not yet refreshed: reserve decides without them (a billed refresh).
        const before = (yield* store.reserve({ caseId: "case-c", product: null })).decision.verdict
        yield* store.transitionAttempt((yield* store.ledgerForCase("case-c"))[0]!.id, "rejected", { rejection: "not-sent" })
        yield* store.refreshValidityEstimates()
        const after = (yield* store.reserve({ caseId: "case-c", product: null })).decision
        return { empty, estimates, before, after: after.verdict, reason: after.connections[0]!.reasons.find((x) => x.code === "connection.validity-learned")?.message }
      }), undefined, { policy })
      expect(r.empty).toEqual([])
      // Login 2026-10-01, refreshes 2026-11-22: 52 days. S(52) = 1/2.
      expect(r.estimates).toEqual([{ provider: "adp", authKind: "session", episodes: 2, failures: 1, steps: [{ day: 52, atRisk: 2, failures: 1 }] }])
      expect(r.before).toBe("refresh")
      expect(r.after).toBe("reauthenticate")
      expect(r.reason).toBe("adp session connections: 1 of 2 refreshed 52 or more days after login failed; this one logged in 52 days ago, so a refresh would succeed with 50% (below 60%): the user logs in again (Bridge update mode)")
    })
  })
}
