/**
 * Issue 15, "a `waiting` renewal cancels the worker's own poll of a refresh still in flight": a
 * refresh sent by an earlier pass (its worker died, or its polls ran out before Truv finished)
 * is recovered with a poll at the next pass's start; the same pass's due-case stream renews the
 * case again, which core answers `wait` (`refresh.in-flight`). That renewal used to report the
 * case `waiting` and, `waiting` being a final outcome, drop the pending poll: the pass ended with
 * the refresh unresolved. Now the poll completes (the refresh is resolved in the pass) and the
 * renewal reports the case `in-flight` until then. Whole pass under `TestClock`, in-memory ports.
 */
import { InMemoryRenewalStore, InMemoryTruvGateway, RenewalStore, TruvGateway } from "@recert/core"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { buildReport } from "../../src/report/run-report.js"
import { runPass } from "../../src/runner/pass.js"
import { RunStats } from "../../src/runner/run-stats.js"
import { makeMemoryCaseProgress } from "../../src/workflow/case-progress.js"
import { renewCase } from "../../src/workflow/renew-case.js"
import { memoryStore } from "../support/memory-store.js"
import { kase, lineage, NOW } from "../support/one-case.js"


/** The in-memory Truv, whose refresh orders still look `pending` to the first `pendingReads` reads (Truv still working). */
const slowTruv = (pendingReads: number) => {
  let left = pendingReads
  return Layer.effect(TruvGateway, Effect.map(InMemoryTruvGateway, (g) => TruvGateway.of({
    ...g,
    getOrder: (id) => Effect.map(g.getOrder(id), (o) =>
      o.initialOrder === null || left-- <= 0 ? o : { ...o, suborders: o.suborders.map((s) => ({ ...s, status: "pending" })) })
  }))).pipe(Layer.provideMerge(InMemoryTruvGateway.layer({ lineages: [lineage], behaviours: { "link-1": "done" }, accessTokens: { "link-1": "token-1" } })))
}

describe("the poll of a refresh in flight outlives a renewal that waits for it", () => {
  it("a refresh sent 2 min before the pass, unresolved at its first poll: the pass polls it again and resolves it; the case is never reported waiting", async () => {
    const out = await Effect.runPromise(Effect.gen(function*() {
      // The earlier pass: the refresh is sent at NOW - 2 min, and its worker is gone.
      yield* TestClock.setTime(NOW - 2 * 60_000)
      const sent = yield* renewCase("case-1").pipe(Effect.provide(makeMemoryCaseProgress().layer))
      yield* TestClock.setTime(NOW)
      const renewal = yield* RenewalStore
      const { service, jobs } = memoryStore(renewal)
      const { Store: StoreTag } = yield* Effect.promise(() => import("@recert/store"))
      const stats = new RunStats()
      const seen: Array<string> = []
      const pass = yield* Effect.forkChild(
        runPass({ workerId: "w-1", concurrency: 4, pollAfterMs: 3_000, runKey: "night", onProgress: () => {
          const o = stats.outcomes.get("case-1")
          if (o !== undefined && seen.at(-1) !== o) seen.push(o)
        } }, stats).pipe(
          Effect.provideService(StoreTag, service),
          Effect.andThen(Effect.map(Effect.clockWith((c) => c.currentTimeMillis), (end) => buildReport(stats, end)))
        )
      )
      for (let i = 0; i < 1_000 && pass.pollUnsafe() === undefined; i++) yield* TestClock.adjust("10 millis")
      const report = yield* Fiber.join(pass)
      const state = (yield* InMemoryRenewalStore).snapshotState()
      return {
        sent, report, seen, jobs: jobs.map((j) => [j.kind, j.key, j.status]),
        attempts: state.attempts.map((a) => [a.id, a.status, a.outcomes]),
        calls: (yield* InMemoryTruvGateway).calls().map((c) => c.name)
      }
    }).pipe(Effect.provide(Layer.mergeAll(
      InMemoryRenewalStore.layer({ cases: [kase], lineages: [lineage], ledger: [], accessTokens: { "link-1": "token-1" } }),
      slowTruv(1),
      TestClock.layer()
    ))))
    expect([out.sent.outcome, out.sent.attemptId]).toEqual(["in-flight", "att-1"])
    // The due-case stream renewed the case in this pass too: core said wait (refresh in flight).
    expect(out.jobs).toEqual([["renew", "renew:night:case-1", "done"]])
    // Recovery's poll at the start found Truv still working; the second, 3 s later, found it done.
    expect(out.calls).toEqual(["refreshOrder", "getOrder", "getOrder", "fetchReport"])
    expect(out.attempts).toEqual([["att-1", "succeeded", { "link-1": "done" }]])
    expect(out.seen).toEqual(["in-flight", "refreshed"])
    expect({ byOutcome: out.report.cases.byOutcome, polls: out.report.polls, sent: out.report.refreshes.sent })
      .toEqual({ byOutcome: { refreshed: 1 }, polls: 2, sent: 0 })
  })
})
