/**
 * The one clock for pacing (how long since the last claim, when a local retry is due, the serve
 * loop's interval): Effect's monotonic time in milliseconds. Pacing never reads a domain instant
 * (those come from `Clock.currentTimeMillis`), so a test's frozen or stepped domain clock does not
 * stall the loop, and `TestClock` moves both together.
 */
import { Clock, Effect } from "effect"

/** Monotonic milliseconds (only differences mean anything). */
export const monotonicMillis: Effect.Effect<number> = Effect.map(Clock.monotonicTimeNanos, (ns) => Number(ns / 1_000n) / 1_000)
