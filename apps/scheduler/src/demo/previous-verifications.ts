/**
 * The demo's cases come with the verification they started from: the lineage's first order,
 * read through the gateway exactly as a refresh's report is (`TruvGateway.fetchReport`: the
 * order, then each connection's link report, as of the order's completion) and stored as the
 * case's verification `via: "new-order"`. So the run's refreshes are compared with something,
 * as they would be in production after the first cycle, and `renew` means "nothing material
 * changed since the order months ago". Without it every refresh would be a first verification
 * (`review`, `baseline.none`). The sandbox's pay knobs (scenarios.ts) take effect after the
 * order, so the first order shows the old pay and the refresh the changed one.
 */
import { assessVerification, Policy, RenewalStore, resultsPolicyOf, type StoreError, type TruvError, TruvGateway } from "@recert/core"
import { Effect } from "effect"
import type { SeededCase } from "./seed.js"

/** Stores each case's first verification; returns how many were stored. */
export const seedPreviousVerifications = (
  cases: ReadonlyArray<SeededCase>
): Effect.Effect<number, StoreError | TruvError, RenewalStore | TruvGateway> =>
  Effect.gen(function*() {
    const store = yield* RenewalStore
    const truv = yield* TruvGateway
    const policy = resultsPolicyOf(yield* Policy)
    const stored = yield* Effect.forEach(cases, (c) =>
      Effect.gen(function*() {
        const { snapshot, raw } = yield* truv.fetchReport({ orderId: c.rootOrderId, product: c.product, fetchedAt: c.createdAt })
        const result = assessVerification(snapshot, { now: Date.parse(c.createdAt), policy })
        return yield* store.saveVerification({ caseId: c.caseId, orderId: c.rootOrderId, attemptId: null, via: "new-order", verifiedAt: c.createdAt, snapshot, result, raw })
      }), { concurrency: 8 })
    return stored.filter(Boolean).length
  })
