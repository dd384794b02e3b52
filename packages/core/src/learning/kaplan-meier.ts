/**
 * The estimator: Kaplan–Meier survival over "authenticated → first refresh that needs the user",
 * censored at the last refresh that succeeded, per (provider, auth kind). Pure; the store feeds
 * it the ledger's observations, the simulator its own.
 */
import type { AuthKind } from "../model/primitives.js"
import type { ValidityEstimate, ValidityStep } from "./validity-estimate.js"

/**
 * One authentication episode: the connection was last seen `days` after its login, either
 * failing with a status that needs the user (`failed`), or succeeding (censored there).
 */
export interface ValidityObservation {
  readonly provider: string
  readonly authKind: AuthKind
  readonly days: number
  readonly failed: boolean
}

const keyOf = (provider: string, authKind: AuthKind): string => `${authKind}\u0000${provider}`

/**
 * The estimates of every (provider, auth kind) with at least `minEpisodes` observations
 * (fewer: no estimate at all, the estimator abstains), sorted by provider then auth kind.
 * Days are whole days since login (fractions are truncated).
 *
 * @example
 * estimateValidity([{ provider: "adp", authKind: "session", days: 50, failed: true }], 1)
 * // [{ provider: "adp", authKind: "session", episodes: 1, failures: 1, steps: [{ day: 50, atRisk: 1, failures: 1 }] }]
 */
export const estimateValidity = (observations: Iterable<ValidityObservation>, minEpisodes = 1): Array<ValidityEstimate> => {
  const groups = new Map<string, { provider: string; authKind: AuthKind; byDay: Map<number, { ended: number; failures: number }> ; n: number }>()
  for (const o of observations) {
    if (!Number.isFinite(o.days) || o.days < 0) continue
    const key = keyOf(o.provider, o.authKind)
    let g = groups.get(key)
    if (g === undefined) groups.set(key, g = { provider: o.provider, authKind: o.authKind, byDay: new Map(), n: 0 })
    const day = Math.min(3_650, Math.floor(o.days))
    let cell = g.byDay.get(day)
    if (cell === undefined) g.byDay.set(day, cell = { ended: 0, failures: 0 })
    cell.ended++
    if (o.failed) cell.failures++
    g.n++
  }
  const out: Array<ValidityEstimate> = []
  for (const g of groups.values()) {
    if (g.n < minEpisodes) continue
    const days = [...g.byDay.keys()].sort((a, b) => a - b)
    let atRisk = g.n
    let failures = 0
    const steps: Array<ValidityStep> = []
    for (const day of days) {
      const cell = g.byDay.get(day)!
      steps.push({ day, atRisk, failures: cell.failures })
      failures += cell.failures
      atRisk -= cell.ended
    }
    out.push({ provider: g.provider, authKind: g.authKind, episodes: g.n, failures, steps })
  }
  return out.sort((a, b) => (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.authKind < b.authKind ? -1 : a.authKind > b.authKind ? 1 : 0))
}

/** Survival and evidence per step, computed once per estimate object. */
interface Table {
  readonly days: Float64Array
  /** S(day) after the step's failures. */
  readonly survival: Float64Array
  /** Failures at or after each step's day. */
  readonly failuresFrom: Float64Array
}
const tables = new WeakMap<ValidityEstimate, Table>()
const tableOf = (e: ValidityEstimate): Table => {
  let t = tables.get(e)
  if (t !== undefined) return t
  const n = e.steps.length
  const days = new Float64Array(n)
  const survival = new Float64Array(n)
  const failuresFrom = new Float64Array(n)
  let s = 1
  for (let i = 0; i < n; i++) {
    const step = e.steps[i]!
    days[i] = step.day
    s *= 1 - step.failures / step.atRisk
    survival[i] = s
  }
  let f = 0
  for (let i = n - 1; i >= 0; i--) {
    f += e.steps[i]!.failures
    failuresFrom[i] = f
  }
  t = { days, survival, failuresFrom }
  tables.set(e, t)
  return t
}

/** Index of the last step with `day <= days`, or -1. */
const lastAtOrBefore = (t: Table, days: number): number => {
  let lo = 0
  let hi = t.days.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (t.days[mid]! <= days) { found = mid; lo = mid + 1 } else hi = mid - 1
  }
  return found
}

/**
 * The Kaplan–Meier survival S(days): the estimated share of logins still refreshable `days`
 * days after login (whole days; 1 before the first failure).
 *
 * @example
 * survivalAt(estimate, 45) // 0.35
 */
export const survivalAt = (e: ValidityEstimate, days: number): number => {
  const t = tableOf(e)
  const i = lastAtOrBefore(t, Math.floor(days))
  return i < 0 ? 1 : t.survival[i]!
}

/** The evidence at an age: episodes observed at or beyond `days` after login, and how many of them failed. */
export interface ValidityEvidence {
  readonly atRisk: number
  readonly failed: number
}

/**
 * @example
 * evidenceAt(estimate, 45) // { atRisk: 13, failed: 11 }
 */
export const evidenceAt = (e: ValidityEstimate, days: number): ValidityEvidence => {
  const t = tableOf(e)
  const d = Math.floor(days)
  // The first step at or after d.
  const i = lastAtOrBefore(t, d - 1) + 1
  if (i >= e.steps.length) return { atRisk: 0, failed: 0 }
  return { atRisk: e.steps[i]!.atRisk, failed: t.failuresFrom[i]! }
}

/**
 * The predicted chance that a refresh succeeds `days` after login, given the connection was
 * last seen succeeding `knownGoodDays` after it (0 when nothing since the login): S(days) / S(knownGood).
 *
 * @example
 * predictedSuccess(estimate, 60, 0) // 0.2
 */
export const predictedSuccess = (e: ValidityEstimate, days: number, knownGoodDays = 0): number => {
  const base = survivalAt(e, knownGoodDays)
  return base <= 0 ? 0 : Math.min(1, survivalAt(e, days) / base)
}

/**
 * The median lifetime (first day S falls to 0.5 or below), or null when the curve never reaches it.
 *
 * @example
 * medianDays(estimate) // 44
 */
export const medianDays = (e: ValidityEstimate): number | null => {
  const t = tableOf(e)
  for (let i = 0; i < t.days.length; i++) if (t.survival[i]! <= 0.5) return t.days[i]!
  return null
}

/** The estimate for a connection's (provider, auth kind), if any. */
export const estimateFor = (estimates: ReadonlyArray<ValidityEstimate> | undefined, provider: string, authKind: AuthKind): ValidityEstimate | undefined => {
  if (estimates === undefined) return undefined
  for (let i = 0; i < estimates.length; i++) {
    const e = estimates[i]!
    if (e.provider === provider && e.authKind === authKind) return e
  }
  return undefined
}
