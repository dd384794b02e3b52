/**
 * Truv's clock, read from the `Date` header of its answers. Truv applies its time rules (the
 * 180-day OAuth validity, the rolling 24 h, the GSE 90 days) on its own clock; a worker whose
 * clock is an hour off decides on the wrong side of every boundary (issue 15).
 *
 * One sample per answer: `Date` has one-second resolution, so Truv's time when it wrote the header
 * was in `[Date, Date + 1 s)`, taken as `Date + 500 ms`, and compared with our clock at the
 * midpoint of the request's round trip (the answer was written somewhere in between). The
 * estimate is the median of the last `SAMPLES` samples: one slow or asymmetric round trip, or a
 * proxy answering with its own `Date`, does not move it. Error: half the round trip plus half a
 * second.
 */
import { type Clock, type Duration, Effect } from "effect"

/** How many recent samples the median is taken over. */
export const SAMPLES = 15

/** The estimate as the client reports it. */
export interface ClockSkew {
  /** Truv's clock minus ours, in ms (positive: Truv is ahead); null before any answer carried `Date`. */
  readonly skewMs: number | null
  /** Samples the estimate is the median of (at most `SAMPLES`). */
  readonly samples: number
}

/** One sample: Truv's clock minus ours at the round trip's midpoint, or null without a readable `Date`. */
export const skewSample = (sentAt: number, receivedAt: number, dateHeader: string | undefined): number | null => {
  if (dateHeader === undefined) return null
  const truvAt = Date.parse(dateHeader)
  if (!Number.isFinite(truvAt)) return null
  return Math.round(truvAt + 500 - (sentAt + receivedAt) / 2)
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2)
}

/** The running estimate: a ring of the last `SAMPLES` samples. */
export class ClockSkewEstimator {
  private readonly recent: Array<number> = []
  private warned = false

  /** Adds a sample; returns it (null when the answer had no readable `Date`). */
  record(sentAt: number, receivedAt: number, dateHeader: string | undefined): number | null {
    const sample = skewSample(sentAt, receivedAt, dateHeader)
    if (sample === null) return null
    this.recent.push(sample)
    if (this.recent.length > SAMPLES) this.recent.shift()
    return sample
  }

  /** The newest sample alone (null before any): what a clock that jumped says at once, before the median follows. */
  get latest(): number | null {
    return this.recent.at(-1) ?? null
  }

  get current(): ClockSkew {
    return { skewMs: this.recent.length === 0 ? null : median(this.recent), samples: this.recent.length }
  }

  /** True once, the first time the estimate's size exceeds `thresholdMs` (the client then logs a warning). */
  shouldWarn(thresholdMs: number): boolean {
    const skew = this.current.skewMs
    if (this.warned || skew === null || Math.abs(skew) <= thresholdMs) return false
    this.warned = true
    return true
  }
}

/**
 * Below this size an estimate is not applied: it is within what the header's resolution and a
 * round trip can measure, and a clock kept by NTP is then the better of the two.
 */
export const CORRECTION_DEADBAND_MS = 2_000

/** The correction `truvTimeClock` applies for an estimate: the estimate, or 0 within the deadband. */
export const correctionMs = (skew: ClockSkew): number =>
  skew.skewMs === null || Math.abs(skew.skewMs) < CORRECTION_DEADBAND_MS ? 0 : skew.skewMs

/**
 * Effect's `Clock` on Truv's time: `base` plus the current correction (read at every call, so the
 * estimate's later samples apply at once). Monotonic time and sleeping are `base`'s: pacing never
 * jumps when the estimate does.
 */
export const truvTimeClock = (base: Clock.Clock, correction: () => number): Clock.Clock => {
  const millis = () => base.currentTimeMillisUnsafe() + correction()
  const nanos = () => base.currentTimeNanosUnsafe() + BigInt(correction()) * 1_000_000n
  return {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: base.monotonicTimeNanos,
    sleep: (duration: Duration.Duration) => base.sleep(duration)
  }
}
