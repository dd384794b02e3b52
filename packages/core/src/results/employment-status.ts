/**
 * An employment's status as a caseworker should read it, with how sure we are and why. Truv has
 * no status field, only `is_active` and `end_date` (truv-reports-notes §2.2: "active, terminated,
 * leave" are advertised but not in the schema), and marks `is_active` as computed by Truv when
 * `derived_fields` lists it. `employmentStatusOf` is the one mapping, provider-neutral in its
 * inputs, so the adapter, the sandbox and an import all read a report the same way.
 */
import { z } from "zod"
import type { CalendarDate } from "./calendar-date.js"

/** `active`, `ended` (not active and an end date), or `unknown`. */
export const EmploymentState = z.enum(["active", "ended", "unknown"])
export type EmploymentState = z.infer<typeof EmploymentState>

/**
 * `confirmed`: the payroll provider reports it; `derived`: the data vendor computed it (e.g.
 * from pay statements); `none`: the report does not say.
 */
export const StatusConfidence = z.enum(["confirmed", "derived", "none"])
export type StatusConfidence = z.infer<typeof StatusConfidence>

export const EmploymentStatus = z.object({
  state: EmploymentState,
  confidence: StatusConfidence,
  /** A sentence saying what the status rests on. */
  why: z.string()
})
export type EmploymentStatus = z.infer<typeof EmploymentStatus>

export interface StatusFacts {
  /** The report's active flag; null when absent. */
  readonly isActive: boolean | null
  readonly endDate: CalendarDate | null
  /** True when the vendor says it computed `isActive` itself. */
  readonly activeDerived: boolean
}

/**
 * @example
 * employmentStatusOf({ isActive: false, endDate: "2026-10-31", activeDerived: false })
 * // { state: "ended", confidence: "confirmed", why: "not active, ended 2026-10-31 (reported by the payroll provider)" }
 */
export const employmentStatusOf = (f: StatusFacts): EmploymentStatus => {
  const confidence: StatusConfidence = f.activeDerived ? "derived" : "confirmed"
  const by = f.activeDerived ? "derived by the data vendor, not reported by the payroll provider" : "reported by the payroll provider"
  if (f.isActive === true && f.endDate === null) return { state: "active", confidence, why: `active (${by})` }
  if (f.isActive === true) {
    return { state: "unknown", confidence: "none", why: `reported active but with an end date ${f.endDate}; the two disagree` }
  }
  if (f.isActive === false && f.endDate !== null) return { state: "ended", confidence, why: `not active, ended ${f.endDate} (${by})` }
  if (f.isActive === false) return { state: "unknown", confidence: "none", why: "reported not active but without an end date (leave, or ended without a date)" }
  if (f.endDate !== null) return { state: "ended", confidence: "derived", why: `no active flag, but an end date ${f.endDate}` }
  return { state: "unknown", confidence: "none", why: "the report has neither an active flag nor an end date" }
}
