/**
 * A seeded pseudo-random generator (mulberry32). Every random choice of the sandbox (ids, lost
 * or duplicated webhooks, injected 5xx, reordering) comes from it, so a run with the same seed
 * and the same calls makes the same choices.
 */

export class Prng {
  private state: number

  /** The seed it started from (pay histories derive their own generators from it). */
  constructor(readonly seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** True with probability `rate` (0 never draws, so a zero rate does not shift the sequence). */
  chance(rate: number): boolean {
    if (rate <= 0) return false
    if (rate >= 1) return true
    return this.next() < rate
  }

  /** 32 lowercase hex characters, the shape of Truv's ids. */
  hexId(): string {
    let out = ""
    for (let i = 0; i < 4; i++) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, "0")
    return out
  }
}
