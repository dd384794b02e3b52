/**
 * Seeded randomness for the simulator: a counter-based hash (so every draw is a pure function of
 * the seed and its coordinates: a case's hidden truth is the same whichever strategy reads it,
 * in whatever order), and the distributions the behavioural model draws from.
 */

/** A 32-bit mix of the inputs (murmur3's finaliser over a running combination). */
export const hash32 = (seed: number, a: number, b = 0, c = 0): number => {
  let h = (seed ^ 0x9e3779b9) >>> 0
  for (const x of [a, b, c]) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b) >>> 0
    h = (h ^ (h >>> 13)) >>> 0
    h = Math.imul(h, 0xc2b2ae35) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h >>> 0
}

/**
 * A uniform draw in [0, 1) at the given coordinates.
 *
 * @example
 * uniform(42, 7, 1) // the same number on every run
 */
export const uniform = (seed: number, a: number, b = 0, c = 0): number => hash32(seed, a, b, c) / 4_294_967_296

/** A sequential generator (mulberry32) for streams that need many draws. */
export const generator = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * A Weibull draw with the given shape and median, from a uniform `u` in [0, 1).
 *
 * @example
 * weibull(0.5, 1.5, 60) // 60 (the median)
 */
export const weibull = (u: number, shape: number, median: number): number => {
  const scale = median / Math.pow(Math.LN2, 1 / shape)
  return scale * Math.pow(-Math.log(1 - u), 1 / shape)
}

/** An exponential draw with the given rate (per unit), from a uniform `u`; Infinity for rate 0. */
export const exponential = (u: number, rate: number): number => (rate <= 0 ? Infinity : -Math.log(1 - u) / rate)

/** Picks from weighted entries with a uniform `u`. */
export const pick = <A>(u: number, entries: ReadonlyArray<readonly [A, number]>): A => {
  let total = 0
  for (const [, w] of entries) total += w
  let x = u * total
  for (const [a, w] of entries) {
    if (x < w) return a
    x -= w
  }
  return entries[entries.length - 1]![0]
}
