/**
 * TEST-ONLY clock hook: lets the proof suite's client chaos run (`suites/proof/test/client-chaos.test.ts`)
 * move the time of every `serve` worker at once with the Truv sandbox's clock, the way the demo's
 * following days give the scheduler the sandbox's clock in one process (`demo/following-days.ts`).
 * A no-op unless `RECERT_TEST_CLOCK_URL` is set; never set it in production.
 *
 * `RECERT_TEST_CLOCK_URL=<url>`: a URL answering `{"now": "<ISO instant>"}` (the sandbox's
 * `GET /_sandbox/clock`). The worker reads it at start-up and every 200 ms after, and its Effect
 * Clock is this machine's plus the last offset read (monotonic time and sleeping stay this
 * machine's). It replaces the correction from Truv's `Date` headers (a median of 15 answers,
 * which follows a clock moved by days only after eight answers: an idle worker never would).
 * A read that fails keeps the last offset. Truv's answers say the sandbox's time too (`Date`): the
 * clock never stays more than 2 s behind the newest answer's, so a worker whose poll lags after
 * the clock moved (a loaded machine) records what Truv answered on Truv's time, as the production
 * clock does (`truvTimeLayer`): before this, a Bridge token asked right after a step was stored as
 * made hours before Truv made it, and expired here while the client could still use it.
 */
import { TruvClock, truvTimeClock } from "@recert/truv-adapter"
import { Clock, Effect, Layer } from "effect"

export const TEST_CLOCK_ENV = "RECERT_TEST_CLOCK_URL"

const POLL_MS = 200

const readOffset = async (url: string): Promise<number | null> => {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1_000) })
    const now = Date.parse(String(((await r.json()) as { now?: unknown }).now))
    return Number.isFinite(now) ? now - Date.now() : null
  } catch {
    return null
  }
}

/** The Clock following `url` (see the top of the file); its poller stops with the layer's scope. */
export const followedClockLayer = (url: string): Layer.Layer<never, never, TruvClock> =>
  Layer.effect(Clock.Clock, Effect.gen(function*() {
    const base = yield* Clock.Clock
    const truv = yield* TruvClock
    let offset = (yield* Effect.promise(() => readOffset(url))) ?? 0
    const timer = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const t = setInterval(() => void readOffset(url).then((o) => { if (o !== null) offset = o }), POLL_MS)
        t.unref()
        return t
      }),
      (t) => Effect.sync(() => clearInterval(t))
    )
    void timer
    return truvTimeClock(base, () => Math.max(offset, (truv.latestUnsafe() ?? -Infinity) - 2_000))
  }))

/** The test clock's layer when the variable is set, else null. */
export const testClockLayer = (env: NodeJS.ProcessEnv = process.env): Layer.Layer<never, never, TruvClock> | null => {
  const url = env[TEST_CLOCK_ENV]
  return url === undefined || url === "" ? null : followedClockLayer(url)
}
