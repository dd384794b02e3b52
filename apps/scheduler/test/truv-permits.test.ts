/**
 * `concurrency` bounds the Truv requests a worker's jobs have in flight; the jobs themselves run
 * two per permit, so their store work overlaps other jobs' requests. Against the sandbox with a
 * real latency: the number of refresh requests in flight never exceeds the concurrency, and
 * reaches it (the permits, not the job slots, are what limit the requests).
 */
import { TruvGateway } from "@recert/core"
import { Effect, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo } from "../src/demo/seed.js"
import { runPass } from "../src/runner/pass.js"
import { RunStats } from "../src/runner/run-stats.js"
import { getStore, openWorld, sqliteDatabase, type TestDatabase, type World } from "./support/world.js"

const healthy = SCENARIOS.find((s) => s.name === "healthy")!

describe("Truv permits", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  for (const concurrency of [1, 3]) {
    it(`concurrency ${concurrency}: at most ${concurrency} refresh requests in flight, and exactly that many at the peak`, async () => {
      const db: TestDatabase = sqliteDatabase()
      cleanups.push(db.cleanup)
      const world: World = await openWorld({ db, seed: 7, clock: "real", faults: { latencyMs: 40 } })
      cleanups.push(world.close)
      const seeded = await world.store.run(Effect.gen(function*() {
        return yield* seedDemo(yield* getStore, world.sandbox, { now: world.sandbox.clock.now(), scenarios: [{ ...healthy, count: 12 }] })
      }))
      let inFlight = 0
      let peak = 0
      const tracking = Layer.effect(TruvGateway, Effect.map(TruvGateway, (g) => TruvGateway.of({
        ...g,
        refreshOrder: (r) => Effect.acquireUseRelease(
          Effect.sync(() => { inFlight += 1; peak = Math.max(peak, inFlight) }),
          () => g.refreshOrder(r),
          () => Effect.sync(() => { inFlight -= 1 })
        )
      }))).pipe(Layer.provide(world.gateway))
      const stats = new RunStats()
      await world.store.run(runPass({ workerId: "permits", concurrency, pollAfterMs: 2_000 }, stats).pipe(Effect.provide(tracking)))
      expect(peak).toBe(concurrency)
      expect(inFlight).toBe(0)
      expect(stats.refreshes.sent).toBe(12)
      expect(seeded.map((c) => stats.outcomes.get(c.caseId))).toEqual(seeded.map(() => "refreshed"))
    }, 60_000)
  }
})
