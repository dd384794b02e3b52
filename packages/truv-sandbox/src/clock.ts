/**
 * The sandbox's clock. Truv's rules are all about time (a 24 h rolling window, 180-day OAuth
 * validity, a 90-day GSE quota), so tests must be able to jump days ahead without sleeping.
 * By default it follows real time plus an offset (so `advance` still works); in manual mode it
 * stands still until told otherwise. Delivery delays are real milliseconds and do not use it.
 */

export type SandboxClockMode = "real" | "manual"

export class SandboxClock {
  private offsetMs = 0
  private fixedMs: number | null

  constructor(options: { readonly mode?: SandboxClockMode; readonly start?: number } = {}) {
    if (options.mode === "manual") {
      this.fixedMs = options.start ?? Date.now()
    } else {
      this.fixedMs = null
      if (options.start !== undefined) this.offsetMs = options.start - Date.now()
    }
  }

  private readonly listeners: Array<() => void> = []

  /** Calls `listener` after every `advance`, `set` and `freeze` (the sandbox sweeps expired orders). */
  onMove(listener: () => void): void {
    this.listeners.push(listener)
  }

  private moved(): number {
    for (const listener of this.listeners) listener()
    return this.now()
  }

  /** Sandbox now, in epoch milliseconds. */
  now(): number {
    return this.fixedMs ?? Date.now() + this.offsetMs
  }

  get mode(): SandboxClockMode {
    return this.fixedMs === null ? "real" : "manual"
  }

  /** Moves sandbox time forward (or back, with a negative value) by `ms`. */
  advance(ms: number): number {
    if (!Number.isFinite(ms)) throw new RangeError(`advance: ${ms} is not a finite number of milliseconds`)
    if (this.fixedMs === null) this.offsetMs += ms
    else this.fixedMs += ms
    return this.moved()
  }

  /** Sets sandbox time to an instant, keeping the current mode. */
  set(instant: number | string | Date): number {
    const ms = toEpochMs(instant)
    if (this.fixedMs === null) this.offsetMs = ms - Date.now()
    else this.fixedMs = ms
    return this.moved()
  }

  /** Freezes the clock at its current instant (or `at`). */
  freeze(at?: number | string | Date): number {
    this.fixedMs = at === undefined ? this.now() : toEpochMs(at)
    return this.moved()
  }
}

/** Parses an instant given as epoch ms, an ISO string with a zone, or a Date. */
export const toEpochMs = (instant: number | string | Date): number => {
  const ms = typeof instant === "number" ? instant : typeof instant === "string" ? Date.parse(instant) : instant.getTime()
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`)
  return ms
}
