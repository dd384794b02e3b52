/**
 * The model's Truv limits (truv-api-notes §1.6 and §5.2), enforced, not only reported:
 *
 * - the API budget, `budget` requests per minute per secret. The scheduler's client keeps it
 *   itself (truv-adapter's `rate-budget.ts`: a call waits for the earliest instant at which at most
 *   `maxRequestsPerMinute`, 300 by default, were sent in the last minute), so a big night is spread
 *   over as many minutes as it needs and Truv never refuses one. A client without a limiter (the
 *   guide's loop, decision in docs/decisions.md) sends everything waiting at once; Truv answers the
 *   first `budget` of a minute and refuses the rest with 429 `throttled` and a `Retry-After` of the
 *   next minute (as the sandbox does), and the client sends them again then, as Truv's demo client
 *   reads `Retry-After`;
 * - the per-connection refresh limit: at most 3 refreshes per access token in a rolling 24 h
 *   (a refresh at `t` counts at `now` when `t <= now < t + 24 h`, the sandbox's `countInWindow`);
 *   a 4th is refused (the sandbox's 429 `refresh_limit_exceeded`), not billed, not counted.
 *
 * Counters per minute bucket, never an object per request: a year of 100,000 cases stays fast.
 */

const MINUTES_PER_DAY = 1_440
const REFRESH_LIMIT = 3
const REFRESH_WINDOW_MS = 86_400_000

/** What a client's requests met over the minutes, as the report prints it. */
export interface MinuteFigures {
  /** The most requests sent in any one minute (refused ones included: each reached Truv). */
  readonly peak: number
  /** Minutes in which more than the budget was sent. */
  readonly minutesOver: number
  /** Requests Truv refused with 429 `throttled` (each resend counts again). */
  readonly throttled: number
  /** The longest stretch of consecutive minutes with requests sent (a big night's run, in minutes). */
  readonly longestRun: number
}

/**
 * A client's requests minute by minute, against Truv's budget. `add` puts requests in a minute of
 * the current day; `endDay` sends the day's minutes in order (what waits from the day before goes
 * first) and keeps what is still waiting for the next day; `finish` drains it.
 *
 * @example
 * const m = new MinuteLedger(300, true)
 * m.add(0, 301); m.endDay(); m.finish()
 * m.figures() // { peak: 300, minutesOver: 0, throttled: 0, longestRun: 2 }
 */
export class MinuteLedger {
  private readonly demand = new Float64Array(MINUTES_PER_DAY)
  private waiting = 0
  private peak = 0
  private minutesOver = 0
  private throttled = 0
  private run = 0
  private longestRun = 0
  /** Requests sent per minute of the last day (tests and traces). */
  readonly lastDay = new Float64Array(MINUTES_PER_DAY)

  /** `limited`: the client keeps the budget itself (Recert's scheduler); else it sends all it has. */
  constructor(readonly budget: number, readonly limited: boolean) {}

  /** `n` requests want to go at `minute` (0 to 1439) of the current day. */
  add(minute: number, n: number): void {
    this.demand[minute]! += n
  }

  private minute(extra: number): number {
    const want = this.waiting + extra
    const sent = this.limited ? Math.min(want, this.budget) : want
    const accepted = Math.min(sent, this.budget)
    // Deferred by the limiter, or refused by Truv and sent again next minute: either way it waits.
    this.waiting = want - accepted
    this.throttled += sent - accepted
    if (sent > this.peak) this.peak = sent
    if (sent > this.budget) this.minutesOver++
    this.run = sent > 0 ? this.run + 1 : 0
    if (this.run > this.longestRun) this.longestRun = this.run
    return sent
  }

  /** Sends the day's minutes; what is still waiting at midnight goes first the next day. */
  endDay(): void {
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      this.lastDay[m] = this.minute(this.demand[m]!)
      this.demand[m] = 0
    }
  }

  /** Sends what still waits after the last day. */
  finish(): void {
    while (this.waiting > 0) this.minute(0)
    this.run = 0
  }

  figures(): MinuteFigures {
    return { peak: this.peak, minutesOver: this.minutesOver, throttled: this.throttled, longestRun: this.longestRun }
  }
}

/**
 * One night's requests, all wanted at the run's first minute, sent by a client with or without
 * a limiter: the minutes as sent, and the figures.
 *
 * @example
 * spreadNight(301, 300, true).sent // [300, 1]
 */
export const spreadNight = (requests: number, budget: number, limited: boolean): { readonly sent: Array<number> } & MinuteFigures => {
  const m = new MinuteLedger(budget, limited)
  m.add(0, requests)
  m.endDay()
  const sent: Array<number> = []
  for (const x of m.lastDay) if (x > 0) sent.push(x)
  m.finish()
  return { sent, ...m.figures() }
}

/**
 * Per connection, the instants of its last refreshes accepted by Truv (`REFRESH_LIMIT` slots per
 * connection in one typed array), and the refusal of one more inside the rolling 24 h.
 *
 * @example
 * const r = new RefreshLimit(1)
 * [0, 1, 2, 3].map((h) => r.tryRefresh(0, h * 3_600_000)) // [true, true, true, false]
 */
export class RefreshLimit {
  private readonly at: Float64Array
  refused = 0

  constructor(connections: number) {
    this.at = new Float64Array(connections * REFRESH_LIMIT).fill(Number.NEGATIVE_INFINITY)
  }

  /** Whether Truv accepts a refresh of `connection` at `now` (epoch ms); an accepted one is recorded, a refused one counted. */
  tryRefresh(connection: number, now: number): boolean {
    const base = connection * REFRESH_LIMIT
    let inWindow = 0
    let oldest = base
    for (let k = base; k < base + REFRESH_LIMIT; k++) {
      const t = this.at[k]!
      if (t <= now && now < t + REFRESH_WINDOW_MS) inWindow++
      if (t < this.at[oldest]!) oldest = k
    }
    if (inWindow >= REFRESH_LIMIT) {
      this.refused++
      return false
    }
    this.at[oldest] = now
    return true
  }
}
