/**
 * 1, 2 and 4 workers on Postgres (each its own store and connection pool, its own run pass, in
 * this process) against one sandbox that duplicates, reorders and loses webhooks and answers 5%
 * of Truv requests with a 500. Whatever the interleaving: no refresh request over the 24 h limit
 * (the sandbox's count, and the rolling counts recomputed per link), every stored attempt is
 * exactly one refresh order at the sandbox and back, every case final, every webhook accounted
 * for (stored and processed, or lost and its outcome recovered by polling).
 *
 * Postgres at DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, one schema per test,
 * dropped after. Unreachable: skipped with the reason, except with CI=true, where it fails.
 */
import { Effect } from "effect"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import { isFinalOutcome } from "../src/workflow/outcome.js"
import { checkGuarantees, EXPECTED } from "./support/guarantees.js"
import { getStore, openLayer, openWorld, postgresDatabase, postgresUnavailable, storeLayer, type TestDatabase, type World } from "./support/world.js"

const PER_SCENARIO = 3
const FAULTS = { webhookDuplicateRate: 0.2, webhookReorderRate: 0.2, webhookLossRate: 0.1, errorRate: 0.1 }

describe("several workers on Postgres against a faulty sandbox", () => {
  let unavailable: string | null = null
  const cleanups: Array<() => Promise<void>> = []

  beforeAll(async () => {
    unavailable = await postgresUnavailable()
    if (unavailable !== null) console.warn(`multi-worker tests skipped: ${unavailable}`)
  })
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((e: unknown) => console.warn("cleanup failed", e))
  })

  for (const workers of [1, 2, 4]) {
    it(`${workers} worker(s): no limit violation, no refresh twice, every case final, every webhook accounted for`, async (ctx) => {
      if (unavailable !== null) {
        if (process.env["CI"] === "true") throw new Error(unavailable)
        return ctx.skip()
      }
      const db: TestDatabase = postgresDatabase()
      cleanups.push(db.cleanup)
      const world: World = await openWorld({ db, seed: 100 + workers, clock: "real", faults: FAULTS, poolSize: 2 })
      cleanups.push(world.close)
      const scenarios = SCENARIOS.map((s) => ({ ...s, count: PER_SCENARIO }))
      const seeded: Array<SeededCase> = await world.store.run(Effect.gen(function*() {
        return yield* seedDemo(yield* getStore, world.sandbox, { now: world.sandbox.clock.now(), scenarios })
      }))
      const stores = await Promise.all(Array.from({ length: workers }, () => openLayer(storeLayer(db, world.encryptionKey, 3), world.clock)))
      for (const s of stores) cleanups.push(s.close)
      const stats = stores.map(() => new RunStats())
      await Promise.all(stores.map((store, i) =>
        world.pass({ store, stats: stats[i]!, workerId: `worker-${i}`, concurrency: 4, runKey: "mw", pollAfterMs: 150, leaseMs: 30_000 })))
      await world.sandbox.idle()
      // The next run, two minutes later: it processes webhooks that arrived after every pass
      // ended, and runs jobs that failed on a 500 (the store retries them after a 30 s backoff,
      // and a pass does not wait for that: see job-retry.test.ts).
      world.sandbox.clock.advance(2 * 60_000)
      await world.pass({ runKey: "mw-next", enqueueDue: false })
      const final = new Set(seeded.filter((c) => stats.concat(world.stats).some((s) => {
        const o = s.outcomes.get(c.caseId)
        return o !== undefined && isFinalOutcome(o)
      })).map((c) => c.caseId))
      const g = await checkGuarantees(world, seeded, final)
      const { lost, ...rest } = g
      expect(rest).toEqual(EXPECTED)
      expect(lost.events).toBe(lost.droppedBySandbox)
      const report = world.sandbox.report()
      // The faults did happen (the seed makes them certain for this many events).
      expect(report.injectedErrors).toBeGreaterThan(0)
      expect(report.webhooks.duplicated).toBeGreaterThan(0)
      expect(report.webhooks.reordered).toBeGreaterThan(0)
      expect(report.webhooks.dropped).toBeGreaterThan(0)
      console.info(`${workers} worker(s): ${seeded.length} cases, ${report.refreshes.accepted} refreshes, ${report.injectedErrors} 500s, ` +
        `webhooks ${report.webhooks.events} (dup ${report.webhooks.duplicated}, reordered ${report.webhooks.reordered}, lost ${report.webhooks.dropped}), ` +
        `polls ${stats.reduce((n, s) => n + s.polls, 0)}, reconciled ${stats.reduce((n, s) => n + s.refreshEvents.reconciled, 0)}`)
    }, 90_000)
  }
})
