/**
 * Effect's `Clock` on Truv's time, for programs whose instants must be Truv's (the scheduler's
 * decisions: Truv applies the 180-day validity and the rolling 24 h on its own clock): this
 * machine's clock plus the Truv client's running estimate (`TruvClock`, read at every call, so
 * each answer's `Date` applies at once); within 2 s of ours (`CORRECTION_DEADBAND_MS`) our own
 * clock is kept. Before any answer it is our clock: read Truv's once with `TruvClock.probe`
 * before the first decision. Monotonic time and sleeping stay ours.
 *
 * @example
 * const program = Effect.andThen(Effect.flatMap(TruvClock, (c) => c.probe), decideAndSend)
 * program.pipe(Effect.provide(truvTimeLayer.pipe(Layer.provideMerge(TruvHttpGateway.layer(config)))))
 */
import { Clock, Effect, Layer } from "effect"
import { correctionMs, truvTimeClock } from "./clock-skew.js"
import { TruvClock } from "./truv-client.js"

export const truvTimeLayer: Layer.Layer<never, never, TruvClock> = Layer.effect(Clock.Clock, Effect.gen(function*() {
  const truv = yield* TruvClock
  const base = yield* Clock.Clock
  return truvTimeClock(base, () => correctionMs(truv.skewUnsafe()))
}))
