/**
 * A whole pass (`src/runner/pass.ts`: recover, enqueue-due, the dispatcher's modes, a poll, the
 * follow-up) driven by `TestClock` alone: core's in-memory ports, and the job queue and inbox of
 * `@recert/store` as a small in-memory stand-in (`store` below). Before the one clock, the pass
 * read wall time for its pacing and the report's elapsed time, so neither could be asserted
 * exactly; here every instant is.
 */
import { InMemoryRenewalStore, InMemoryTruvGateway, RenewalStore, StoreError } from "@recert/core"
import { Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { buildReport } from "../../src/report/run-report.js"
import { runPass } from "../../src/runner/pass.js"
import { RunStats } from "../../src/runner/run-stats.js"
import { memoryStore } from "../support/memory-store.js"
import { iso, kase, lineage, NOW, DAY } from "../support/one-case.js"


describe("a pass under TestClock", () => {
  it("renews a due case, polls it at start + pollAfterMs, settles 200 ms later: exact instants and elapsed time", async () => {
    const out = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const renewal = yield* RenewalStore
      const { service, jobs, asked } = memoryStore(renewal)
      const { Store: StoreTag } = yield* Effect.promise(() => import("@recert/store"))
      const stats = new RunStats()
      const pass = yield* Effect.forkChild(
        runPass({ workerId: "w-1", concurrency: 4, pollAfterMs: 3_000, runKey: "night" }, stats).pipe(
          Effect.provideService(StoreTag, service),
          Effect.andThen(Effect.map(Effect.clockWith((c) => c.currentTimeMillis), (end) => buildReport(stats, end)))
        )
      )
      // Time moves only here: 10 ms at a time, as far as the pass needs.
      for (let i = 0; i < 1_000 && pass.pollUnsafe() === undefined; i++) yield* TestClock.adjust("10 millis")
      const report = yield* Fiber.join(pass)
      const state = (yield* InMemoryRenewalStore).snapshotState()
      return { report, jobs: jobs.map((j) => [j.kind, j.key, j.status]), asked, state, calls: (yield* InMemoryTruvGateway).calls().map((c) => c.name) }
    }).pipe(Effect.provide(Layer.mergeAll(
      InMemoryRenewalStore.layer({ cases: [kase], lineages: [lineage], ledger: [], accessTokens: { "link-1": "token-1" } }),
      InMemoryTruvGateway.layer({ lineages: [lineage], behaviours: { "link-1": "done" }, accessTokens: { "link-1": "token-1" } }),
      TestClock.layer()
    ))))
    // Recovery asked for attempts reserved before start - 60 s; the due cases until start + the lead time.
    expect(out.asked.staleBefore).toEqual([iso(NOW - 60_000)])
    expect(out.asked.dueUntil).toEqual([iso(NOW + 30 * DAY)])
    expect(out.jobs).toEqual([["renew", "renew:night:case-1", "done"]])
    expect(out.calls).toEqual(["refreshOrder", "getOrder", "fetchReport"])
    expect([out.asked.rescheduled, out.asked.followedUp]).toEqual([[["case-1", iso(NOW + 5 * DAY + 365 * DAY), iso(NOW + 3_010)]], ["att-1"]])
    // The forked pass first runs at the first tick (NOW + 10 ms): the refresh is sent then, its
    // poll falls due 3 s later and finds it done; 200 ms of quiet end the pass.
    expect(out.state.attempts.map((a) => [a.status, a.at])).toEqual([["succeeded", iso(NOW + 10)]])
    expect(out.state.verifications.map((v) => [v.verifiedAt, v.result.class])).toEqual([[iso(NOW + 3_010), "review"]])
    expect({ elapsedMs: out.report.elapsedMs, byOutcome: out.report.cases.byOutcome, polls: out.report.polls, sent: out.report.refreshes.sent })
      .toEqual({ elapsedMs: 3_210, byOutcome: { refreshed: 1 }, polls: 1, sent: 1 })
    // The one due case processed; billed once its outcome (done) was recorded.
    expect({ status: out.report.status, reasons: out.report.reasons, due: out.report.due, billed: out.report.refreshes.billed })
      .toEqual({ status: "ok", reasons: [], due: { total: 1, processed: 1, unloadable: 0, notReached: 0 }, billed: 1 })
    expect(out.report.results).toEqual({ renew: 0, review: 1 })
  })

  it("a pass that fails leaves nothing of it running: its inbox stops with it (under serve, a failed pass's inbox went on for the process's life, counting into a report already merged)", async () => {
    const out = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const renewal = yield* RenewalStore
      const { service, asked } = memoryStore(renewal)
      // The due-case stream fails (a database refusing connections): the pass fails once it has settled.
      const failing = { ...service, streamDueCaseLoads: () => Stream.fail(new StoreError({ operation: "streamDueCases", message: "too many clients", reason: "unavailable" })) }
      const { Store: StoreTag } = yield* Effect.promise(() => import("@recert/store"))
      let ended = null as { readonly failed: boolean; readonly inboxClaims: number } | null
      // Like `serve`: the pass runs on a fiber that goes on after it (the process's main fiber).
      yield* Effect.forkChild(Effect.gen(function*() {
        const r = yield* Effect.result(runPass({ workerId: "w-1", concurrency: 4, runKey: "night" }, new RunStats()).pipe(Effect.provideService(StoreTag, failing)))
        ended = { failed: r._tag === "Failure", inboxClaims: asked.inboxClaims }
        return yield* Effect.never
      }))
      for (let i = 0; i < 1_000 && ended === null; i++) yield* TestClock.adjust("10 millis")
      // A second of the process's life after the pass: nothing of the pass claims events any more.
      yield* TestClock.adjust("1 second")
      return { ended, inboxClaimsAfter: asked.inboxClaims }
    }).pipe(Effect.provide(Layer.mergeAll(
      InMemoryRenewalStore.layer({ cases: [kase], lineages: [lineage], ledger: [], accessTokens: { "link-1": "token-1" } }),
      InMemoryTruvGateway.layer({ lineages: [lineage], behaviours: { "link-1": "done" }, accessTokens: { "link-1": "token-1" } }),
      TestClock.layer()
    ))))
    expect(out.ended?.failed).toBe(true)
    expect(out.inboxClaimsAfter).toBe(out.ended?.inboxClaims)
  })
})
