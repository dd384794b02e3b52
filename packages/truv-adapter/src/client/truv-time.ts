/**
 * Effect's `Clock` on Truv's time, for programs whose instants must be Truv's (the scheduler's
 * decisions: Truv applies the 180-day validity and the rolling 24 h on its own clock). Built
 * once: it reads Truv's clock with one probe (`TruvClock.probe`) so the first decision is already
 * on Truv's time, then follows the client's running estimate from every answer. Within 2 s of
 * ours (`CORRECTION_DEADBAND_MS`) our own clock is kept. The layer logs what it found; it never
 * fails (no answer: our clock, until an answer says otherwise).
 *
 * @example
 * program.pipe(Effect.provide(truvTimeLayer.pipe(Layer.provideMerge(TruvHttpGateway.layer(config)))))
 */
import { Clock, Effect, Layer } from "effect"
import { correctionMs, truvTimeClock } from "./clock-skew.js"
import { TruvClock } from "./truv-client.js"

export const truvTimeLayer: Layer.Layer<never, never, TruvClock> = Layer.effect(Clock.Clock, Effect.gen(function*() {
  const truv = yield* TruvClock
  const base = yield* Clock.Clock
  const skew = yield* truv.probe
  yield* Effect.logInfo("truv clock", { skewMs: skew.skewMs, samples: skew.samples, correctionMs: correctionMs(skew) })
  return truvTimeClock(base, () => correctionMs(truv.skewUnsafe()))
}))
