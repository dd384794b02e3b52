/**
 * The chaos run's test-only clock (`src/runtime/test-clock.ts`): it follows the sandbox's clock
 * (polled), and never stays more than 2 s behind the newest `Date` Truv answered with, so a worker
 * whose poll lags right after the clock moved still records what Truv answered on Truv's time
 * (client chaos bridge seed 2: a token stored as made 3 h before Truv made it).
 */
import { TruvClock } from "@recert/truv-adapter"
import { Clock, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { followedClockLayer } from "../src/runtime/test-clock.js"

const HOUR = 3_600_000
/** Nothing listens there: the poll fails and keeps offset 0. */
const NOWHERE = "http://127.0.0.1:9/_sandbox/clock"

const truvClock = (latest: number | null) => Layer.succeed(TruvClock, TruvClock.of({
  skew: Effect.succeed({ skewMs: null, samples: 0 }), skewUnsafe: () => ({ skewMs: null, samples: 0 }),
  probe: Effect.succeed({ skewMs: null, samples: 0 }), latestUnsafe: () => latest
}))

const nowWith = (latest: number | null) => Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  yield* TestClock.setTime(1_000_000)
  const ctx = yield* Layer.build(followedClockLayer(NOWHERE).pipe(Layer.provide(truvClock(latest))))
  return yield* Clock.currentTimeMillis.pipe(Effect.provideContext(ctx))
})).pipe(Effect.provide(TestClock.layer())))

describe("the chaos run's followed clock", () => {
  it("Truv's newest answer 3 h ahead of the polled clock: the clock is 3 h ahead, less 2 s", async () => {
    expect(await nowWith(3 * HOUR)).toBe(1_000_000 + 3 * HOUR - 2_000)
  })

  it("no answer yet, or one behind the poll: the polled clock", async () => {
    expect([await nowWith(null), await nowWith(-HOUR)]).toEqual([1_000_000, 1_000_000])
  })
})
