/**
 * A worker started while its database restarts waits for it (issue 15: workers survive a Postgres
 * restart; in CI two `serve` workers still starting when the outage came exited 1 with "database …
 * is not currently accepting connections"). `waitingStart` builds the store's layer again while the
 * failure is the moment's, within the wait, and reports anything else at once.
 */
import { StoreError } from "@recert/core"
import { Context, Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { SchedulerConfig } from "../src/runtime/config.js"
import { isMomentaryStartFailure, waitingStart } from "../src/runtime/live-layers.js"

class Db extends Context.Service<Db, { readonly build: number }>()("test/Db") {}

const notAccepting = new StoreError({ operation: "open", message: 'database "recert" is not currently accepting connections', reason: "unavailable", code: "55000" })
const full = new StoreError({ operation: "open", message: "database or disk is full", reason: "disk-full", code: "SQLITE_FULL" })

/** A layer whose builds fail with `failures` in turn, then succeed; counts builds and releases. */
const flaky = (failures: ReadonlyArray<StoreError>) => {
  const seen = { builds: 0, released: 0 }
  const layer = Layer.effect(Db, Effect.gen(function*() {
    const n = seen.builds++
    yield* Effect.addFinalizer(() => Effect.sync(() => { seen.released += 1 }))
    if (n < failures.length) return yield* Effect.fail(failures[n]!)
    return { build: n + 1 }
  }))
  return { layer, seen }
}

/** Starts `layer` with a wait of `waitMs`, advancing the test clock 100 ms at a time until it ends. */
const start = (layer: Layer.Layer<Db, StoreError>, waitMs: number) =>
  Effect.runPromise(Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(Effect.exit(Effect.scoped(Effect.map(Db, (db) => db.build).pipe(Effect.provide(waitingStart(layer, waitMs))))))
    let advanced = 0
    while (fiber.pollUnsafe() === undefined) {
      yield* TestClock.adjust("100 millis")
      advanced += 100
    }
    return { exit: yield* Fiber.join(fiber), advanced }
  }).pipe(Effect.provide(TestClock.layer())))

describe("waitingStart", () => {
  it("builds again after 0.5, 1, 2, 4 s while the database is not accepting connections, then starts", async () => {
    const { layer, seen } = flaky([notAccepting, notAccepting, notAccepting, notAccepting])
    const { exit, advanced } = await start(layer, 60_000)
    expect(exit).toEqual(Exit.succeed(5))
    // Each failed build released before the next; the fifth when the program ended.
    expect(seen).toEqual({ builds: 5, released: 5 })
    expect(advanced).toBe(7_500)
  })

  it("gives up with the database's own error once the next try would pass the wait", async () => {
    const { layer, seen } = flaky(Array.from({ length: 10 }, () => notAccepting))
    const { exit } = await start(layer, 3_000)
    // Tries at 0, 0.5 and 1.5 s; the next would come at 3.5 s.
    expect(exit).toEqual(Exit.fail(notAccepting))
    expect(seen).toEqual({ builds: 3, released: 3 })
  })

  it("reports a failure that is not the moment's at once, and never waits with a wait of 0", async () => {
    const disk = flaky([full])
    expect((await start(disk.layer, 60_000)).exit).toEqual(Exit.fail(full))
    expect(disk.seen.builds).toBe(1)
    const none = flaky([notAccepting])
    expect((await start(none.layer, 0)).exit).toEqual(Exit.fail(notAccepting))
    expect(none.seen.builds).toBe(1)
  })

  it("only a retryable StoreError is the moment's", () => {
    expect([notAccepting, full, new StoreError({ operation: "x", message: "m", reason: "busy" }), new Error("x"), null].map(isMomentaryStartFailure))
      .toEqual([true, false, true, false, false])
  })

  it("startupWait: RECERT_STARTUP_WAIT's duration, unset by default (serve then waits 60 s, run not at all)", () => {
    const base = { truv: { clientId: "c", secret: "s" } }
    expect(SchedulerConfig.parse(base).startupWait).toBeUndefined()
    expect(SchedulerConfig.parse({ ...base, startupWait: "90s" }).startupWait).toBe(90_000)
    expect(SchedulerConfig.safeParse({ ...base, startupWait: "2h" }).success).toBe(false)
  })
})
