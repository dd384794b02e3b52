/**
 * `runJob` (src/runner/run-job.ts): a renew job that fails on a transient 500 (here the new order
 * of a case without a Truv user: `POST /v1/orders/` is billable, so the client rightly does not
 * re-send it) is run again within the pass, before the store's backoff (30 s for the first
 * failure) would leave it to a later pass.
 */
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo } from "../src/demo/seed.js"
import { getStore, openWorld, sleepMs, sqliteDatabase, type World } from "./support/world.js"

describe("a job that failed on a 500 within a run", () => {
  const db = sqliteDatabase()
  let world: World | undefined
  afterAll(async () => {
    await world?.close()
    await db.cleanup()
  })

  // Before the in-pass retries, the pass ended while a job it failed waited for the store's
  // backoff, and the case ended in no final state.
  it("the case still ends new-order-queued in the same run", async () => {
    world = await openWorld({ db, seed: 3, clock: "real", faults: { errorRate: 1 } })
    const w = world
    const noUser = SCENARIOS.find((s) => s.name === "no-user")!
    const [c] = await w.store.run(Effect.gen(function*() {
      return yield* seedDemo(yield* getStore, w.sandbox, { now: w.sandbox.clock.now(), scenarios: [{ ...noUser, count: 1 }] })
    }))
    // Truv answers the first request with a 500, every later one normally.
    const heal = (async () => {
      for (let i = 0; i < 1000 && w.sandbox.report().injectedErrors === 0; i++) await sleepMs(5)
      w.sandbox.configureFaults({ errorRate: 0 })
    })()
    await w.pass({ runKey: "retry" })
    await heal
    expect(w.sandbox.report().injectedErrors).toBe(1)
    expect(w.stats.outcomes.get(c!.caseId)).toBe("new-order-queued")
  }, 30_000)
})
