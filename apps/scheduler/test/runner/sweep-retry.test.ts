/**
 * A replacement Truv fails is owed, not dropped (issue 15/16; `src/runner/sweep.ts`). The sweep
 * expires a Bridge request unanswered at its 6 h and asks its replacement; Truv answers that
 * token POST 500 (nothing created). The expired request is final and the sweep meets it only once, so before, the
 * case was left without a link until its next day's renewal (client chaos, bridge seed 6: the case
 * neither verified nor escalated at the end). Now a `renew` job for the case is enqueued at once,
 * keyed by the expired request (a second sweep enqueues nothing more), and the renewal it runs
 * asks the replacement: one more token at Truv, counted as the cycle's replacement.
 */
import { ClientReach, ProviderUnavailable, RenewalStore, TruvGateway } from "@recert/core"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { replacementJobKey, sweepAndRenewOwed } from "../../src/runner/sweep.js"
import { makeMemoryCaseProgress } from "../../src/workflow/case-progress.js"
import { queueVerification } from "../../src/workflow/queue-verification.js"
import { renewCase } from "../../src/workflow/renew-case.js"
import { sweepRequests } from "../../src/workflow/request-sweep.js"
import { memoryStore } from "../support/memory-store.js"
import { HOUR, iso, sweepWorld, T0 } from "../support/sweep-case.js"

describe("a replacement Truv fails is owed a renewal", () => {
  it("the token POST of the replacement answered 500: a renew job for the case at once, once; its renewal asks the replacement", async () => {
    const r = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const renewal = yield* RenewalStore
      const { service, jobs } = memoryStore(renewal)
      const inner = yield* TruvGateway
      let tokens = 0
      // Truv fails the second token POST (the sweep's replacement) with a 500: nothing created (queue-verification.ts).
      const truv = TruvGateway.of({
        ...inner,
        createBridgeToken: (req) => ++tokens === 2 ? Effect.fail(new ProviderUnavailable({ status: 500, message: "A server error occurred." })) : inner.createBridgeToken(req)
      })
      const withTruv = <A, E, R>(e: Effect.Effect<A, E, R>) => Effect.provideService(e, TruvGateway, truv)
      yield* withTruv(queueVerification(yield* renewal.loadSnapshot("case-1"), { kind: "bridge-update", connectionIds: ["link-1"], reason: "connection.auth-expired", detail: "OAuth expired" }))
      // 6 h later the token is past its validity: expired, its replacement asked and refused.
      yield* TestClock.setTime(T0 + 6 * HOUR)
      yield* sweepAndRenewOwed(service, (o) => withTruv(sweepRequests(o)))
      const owed = jobs.map((j) => [j.kind, j.key, j.payload, j.runAt])
      // A second sweep a minute later meets nothing due: no second job.
      yield* TestClock.setTime(T0 + 6 * HOUR + 60_000)
      yield* sweepAndRenewOwed(service, (o) => withTruv(sweepRequests(o)))
      const afterSecond = jobs.length
      // The job's renewal: the case decides again and asks the replacement.
      const renewed = yield* withTruv(renewCase("case-1"))
      const requests = yield* renewal.caseRequests("case-1")
      return { owed, afterSecond, outcome: renewed.outcome, tokens, requests: requests.map((q) => [q.id, q.state, q.createdAt]) }
    }).pipe(Effect.provide(Layer.merge(sweepWorld(), makeMemoryCaseProgress().layer)), Effect.provideService(ClientReach, "bridge")))
    expect(r.owed).toEqual([["renew", replacementJobKey(1), { caseId: "case-1" }, iso(T0 + 6 * HOUR)]])
    expect(r.afterSecond).toBe(1)
    // Three token POSTs: the first ask, the refused replacement, the renewal's replacement.
    expect({ outcome: r.outcome, tokens: r.tokens }).toEqual({ outcome: "reauth-queued", tokens: 3 })
    expect(r.requests.map(([, state, at]) => [state, at])).toEqual([["expired", iso(T0)], ["sent", iso(T0 + 6 * HOUR + 60_000)]])
  })
})
