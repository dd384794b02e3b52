/**
 * The window a renewal's refresh belongs in, and the instant the planner picks inside it (issue
 * 18). Three bases, from the most specific:
 *
 * - `closing`: a case tied to a closing (note) date: the re-verification belongs within
 *   `timing.closing.businessDays` business days before the note date, `[start of the N-th business
 *   day before, start of the note date)`;
 * - `freshness`: the case's cycle has `timing.freshnessDays[cycle] = N`: the data used at the due
 *   date must be at most N days old, `[due - N days, due]`;
 * - `lead-time`: otherwise the fixed `leadTimeDays` window of before (the default behaviour).
 *
 * Any instant of the window meets the freshness requirement; the earliest one leaves the most
 * time for a retry and for the client, and meets the connection youngest, so the planner refreshes
 * at the window's opening (or now, once it is open). Two constraints then decide whether that
 * instant is a refresh or goes to the client: the connection's predicted expiry less the safety
 * margin (`refreshBy`), and the client's time to act before the due date after a failed refresh
 * (a new order's link lasts 72 weekday hours: `requestExpiresAt`; `clientDeadlineAt` is the latest
 * refresh that still leaves them that time). Pure; `now` is given.
 */
import { DAY_MS, HOUR_MS, toIso, toMs } from "../engine/time.js"
import { NEW_ORDER_WEEKDAY_HOURS } from "../events/request-expiry.js"
import type { Case } from "../model/case.js"
import type { Lineage } from "../model/lineage.js"
import type { PolicyConfig } from "../model/policy-config.js"
import { clockGuardMs } from "../rules/clock-guard.js"
import { dayNumber } from "../results/calendar-date.js"
import { businessCalendar, businessDaysBefore } from "./business-days.js"
import { timingPolicyOf } from "./timing-policy.js"

export type WindowBasis = "lead-time" | "freshness" | "closing"

export interface RenewalWindow {
  readonly basis: WindowBasis
  readonly opensAt: number
  /** The due date, or the start of the note date. */
  readonly closesAt: number
  /** The window's length: days (`lead-time`, `freshness`) or business days (`closing`). */
  readonly length: number
}

/** What the window reads of a case (without a cycle, the lead time applies). */
export type WindowCase = Pick<Case, "dueAt"> & { readonly cycle?: Case["cycle"] | undefined; readonly closingDate?: string | null | undefined }

/**
 * The window of a case's current renewal.
 *
 * @example
 * renewalWindow({ dueAt: "2027-06-01T00:00:00Z", cycle: "annual", closingDate: null }, DEFAULT_POLICY_CONFIG)
 * // { basis: "lead-time", opensAt: Date.parse("2027-05-02T00:00:00Z"), closesAt: Date.parse("2027-06-01T00:00:00Z"), length: 30 }
 */
export const renewalWindow = (c: WindowCase, config: PolicyConfig): RenewalWindow => {
  if (c.closingDate != null) {
    const closing = timingPolicyOf(config).closing
    const note = dayNumber(c.closingDate)
    const opens = businessDaysBefore(note, closing.businessDays, businessCalendar(closing))
    return { basis: "closing", opensAt: opens * DAY_MS, closesAt: note * DAY_MS, length: closing.businessDays }
  }
  const due = toMs(c.dueAt)
  const fresh = c.cycle === undefined ? undefined : config.timing?.freshnessDays[c.cycle]
  if (fresh !== undefined) return { basis: "freshness", opensAt: due - fresh * DAY_MS, closesAt: due, length: fresh }
  return { basis: "lead-time", opensAt: due - config.leadTimeDays * DAY_MS, closesAt: due, length: config.leadTimeDays }
}

/**
 * The latest instant `t` whose new order link, made at `t`, expires by `end` (`requestExpiresAt("new-order", t) <= end`):
 * 72 weekday hours (UTC) counted back from `end`, weekends skipped.
 *
 * @example
 * toIso(clientDeadline(Date.parse("2027-06-07T00:00:00Z")))  // Monday 00:00 -> "2027-06-02T00:00:00.000Z" (Wednesday)
 */
export const clientDeadline = (end: number): number => {
  let at = end
  let left = NEW_ORDER_WEEKDAY_HOURS * HOUR_MS
  while (left > 0) {
    const dayStart = Math.floor((at - 1) / DAY_MS) * DAY_MS
    const wd = new Date(dayStart).getUTCDay()
    if (wd === 0 || wd === 6) {
      at = dayStart
      continue
    }
    const step = Math.min(left, at - dayStart)
    at -= step
    left -= step
  }
  return at
}

/** Why the planner picked its instant. */
export type TimingCode =
  | "window.opening" // before the window: refresh at its opening
  | "window.open" // inside the window, before every limit: refresh now
  | "window.late" // inside the window, past the client's deadline: refresh now (the fastest path left)
  | "expiry.before-window" // the connection is dead (margin included) for the whole window: the client, at the opening
  | "expiry.within-margin" // the refresh-by instant has passed: the client, now

export interface Timing {
  readonly basis: WindowBasis
  readonly opensAt: string
  readonly closesAt: string
  /** Days (`lead-time`, `freshness`) or business days (`closing`). */
  readonly length: number
  /** The latest refresh whose failure still leaves the client a full link (72 weekday hours) before `closesAt`. */
  readonly clientDeadlineAt: string
  /** Truv's predicted expiry of the earliest-expiring OAuth connection, or null (no OAuth connection). */
  readonly expiresAt: string | null
  /** `expiresAt` less the clock guard and the safety margin: a refresh from then goes to the client. */
  readonly refreshBy: string | null
  readonly marginHours: number
  readonly chosenAt: string
  readonly choice: "refresh" | "client"
  readonly code: TimingCode
  /** One sentence with the numbers. */
  readonly why: string
}

const day = (ms: number): string => toIso(ms).slice(0, 10)
const minute = (ms: number): string => `${toIso(ms).slice(0, 16)}Z`

const windowText = (w: RenewalWindow, closingDate: string | null): string =>
  w.basis === "closing"
    ? `the ${w.length}-business-day window before the closing date ${closingDate} opens ${day(w.opensAt)}`
    : w.basis === "freshness"
      ? `the freshness window (data at most ${w.length} days old at the due date ${day(w.closesAt)}) opens ${minute(w.opensAt)}`
      : `the window (lead time ${w.length} days before the due date ${day(w.closesAt)}) opens ${minute(w.opensAt)}`

/**
 * The earliest Truv expiry among the lineage's OAuth connections (authenticated + `oauthValidityDays`), or null.
 */
export const earliestOauthExpiry = (lineage: Pick<Lineage, "connections">, config: PolicyConfig): number | null => {
  let earliest: number | null = null
  for (const c of lineage.connections) {
    if (c.authKind !== "oauth") continue
    const e = toMs(c.authenticatedAt) + config.oauthValidityDays * DAY_MS
    if (earliest === null || e < earliest) earliest = e
  }
  return earliest
}

/**
 * The margin kept before a predicted expiry: `timing.expiryMarginHours` when timing is configured,
 * 0 otherwise (the expiry itself, less the clock guard, as `connection.auth-expired` has it).
 */
export const expiryMarginMs = (config: PolicyConfig): number => (config.timing === undefined ? 0 : config.timing.expiryMarginHours * HOUR_MS)

/**
 * The instant the planner picks for a case's renewal at `now`, and why.
 *
 * @example
 * chooseInstant(renewalWindow(kase, config), Date.parse(connection.authenticatedAt) + 180 * DAY_MS, now, config).code
 */
export const chooseInstant = (w: RenewalWindow, expiresAt: number | null, now: number, config: PolicyConfig, closingDate: string | null = null): Timing => {
  const margin = expiryMarginMs(config)
  const refreshBy = expiresAt === null ? null : expiresAt - clockGuardMs(config) - margin
  const deadline = clientDeadline(w.closesAt)
  const start = Math.max(now, w.opensAt)
  const code: TimingCode = refreshBy !== null && refreshBy <= start
    ? (refreshBy <= w.opensAt ? "expiry.before-window" : "expiry.within-margin")
    : now < w.opensAt ? "window.opening" : start > deadline ? "window.late" : "window.open"
  const timing = {
    basis: w.basis, opensAt: toIso(w.opensAt), closesAt: toIso(w.closesAt), length: w.length, clientDeadlineAt: toIso(deadline),
    expiresAt: expiresAt === null ? null : toIso(expiresAt), refreshBy: refreshBy === null ? null : toIso(refreshBy),
    marginHours: margin / HOUR_MS, chosenAt: toIso(start), choice: code.startsWith("expiry.") ? "client" as const : "refresh" as const, code
  }
  // The sentence is built when read (a plan of 100,000 cases reads few of them): a lazy, cached,
  // enumerable property, so JSON and equality see it like any other field.
  let why: string | undefined
  return Object.defineProperty(timing, "why", {
    enumerable: true,
    get: () => (why ??= whyOf(w, code, start, deadline, expiresAt, refreshBy, margin, config, closingDate))
  }) as Timing
}

const whyOf = (
  w: RenewalWindow, code: TimingCode, start: number, deadline: number, expiresAt: number | null, refreshBy: number | null,
  margin: number, config: PolicyConfig, closingDate: string | null
): string => {
  const marginText = margin === 0 ? `the clock guard ${config.clockGuardSeconds} s` : `the ${margin / HOUR_MS} h safety margin and the clock guard`
  const expiryText = expiresAt === null || refreshBy === null ? "" : `the connection is predicted to expire ${minute(expiresAt)}; less ${marginText}, a refresh must be sent before ${minute(refreshBy)}`
  if (code === "expiry.before-window") {
    return `straight to the client at ${minute(start)}: ${windowText(w, closingDate)}, but ${expiryText}, so it is dead for the whole window (a refresh would fail and be billed)`
  }
  if (code === "expiry.within-margin") return `straight to the client now: ${expiryText}, and that instant has passed`
  const when = code === "window.opening" ? `refresh at the window's opening ${minute(start)}: ${windowText(w, closingDate)}` : `refresh now: ${windowText(w, closingDate)}`
  const expiry = expiryText === "" ? "" : `; ${expiryText}`
  const client = start > deadline
    ? `; a failure would leave the client less than a link's ${NEW_ORDER_WEEKDAY_HOURS} weekday hours before ${minute(w.closesAt)} (the latest refresh that would was ${minute(deadline)})`
    : `; a failure still leaves the client a full link (${NEW_ORDER_WEEKDAY_HOURS} weekday hours) before ${minute(w.closesAt)} if sent by ${minute(deadline)}`
  return `${when}${expiry}${client}`
}
