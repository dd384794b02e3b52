/**
 * `runJob` (src/runner/run-job.ts) renews the lease of the job it runs (issue 15: "job leases
 * (30 s) are shorter than jobs"). A job that runs 100 s under a 30 s lease, on a real SQLite
 * store with TestClock: another worker asking every 15 s never gets it, and the holder completes
 * it. Before the renewal, the second worker claimed it at 30 s (the lease's end) and the holder's completion was
 * refused (LeaseLost).
 */
import { InMemoryTruvGateway } from "@recert/core"
import { generateEncryptionKey, openDatabase, Store } from "@recert/store"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, describe, expect, it } from "vitest"
import type { JobHandler } from "../../src/runner/jobs/job-handler.js"
import { makePassContext } from "../../src/runner/pass-context.js"
import { runJob } from "../../src/runner/run-job.js"
import { RunStats } from "../../src/runner/run-stats.js"
import { NOW, sqliteDatabase, storeLayer } from "../support/world.js"

const LEASE_MS = 30_000
const slow: JobHandler = { kind: "slow", recovery: false, handle: () => Effect.sleep("100 seconds") }

describe("a job longer than its lease", () => {
  const db = sqliteDatabase()
  afterAll(() => db.cleanup())

  it("keeps its lease while it runs: no other worker claims it, and its holder completes it", async () => {
    const out = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store
      yield* store.enqueueJobs([{ kind: "slow", payload: null, key: "slow:1" }])
      const [job] = yield* store.claimJobs({ workerId: "w-1", kind: "slow", limit: 1, leaseMs: LEASE_MS })
      const stats = new RunStats()
      const ctx = yield* makePassContext({ workerId: "w-1", concurrency: 1, leaseMs: LEASE_MS }, stats, store, new Set())
      const running = yield* Effect.forkChild(runJob(ctx, job!, slow))
      const asked: Array<[number, number]> = []
      for (let s = 1; s <= 100; s++) {
        yield* TestClock.adjust("1 second")
        if (s % 15 === 0) asked.push([s, (yield* store.claimJobs({ workerId: "w-2", kind: "slow", limit: 1, leaseMs: LEASE_MS })).length])
      }
      yield* Fiber.join(running)
      return { asked, failed: stats.jobsFailed }
    }).pipe(Effect.provide(Layer.mergeAll(
      storeLayer(db, generateEncryptionKey()),
      InMemoryTruvGateway.layer(),
      TestClock.layer()
    ))))
    expect(out.asked).toEqual([[15, 0], [30, 0], [45, 0], [60, 0], [75, 0], [90, 0]])
    expect(out.failed).toBe(0)
    const { db: raw } = openDatabase(db.url)
    try {
      const rows = await raw.selectFrom("jobs").select(["status", "locked_by", "attempts"]).execute()
      expect(rows).toEqual([{ status: "done", locked_by: null, attempts: 1 }])
    } finally {
      await raw.destroy()
    }
  })
})
