/**
 * The timing policy (issue 18): how old the data may be at the due date, per review cycle (the
 * freshness window `[due - N days, due]`), the safety margin kept before a connection's predicted
 * expiry, and the lender pre-closing window (N business days before the note date, on a holiday
 * calendar). Optional in `PolicyConfig`, so a configuration without it keeps its policy version
 * and the planner keeps its fixed `leadTimeDays` window; `timingPolicyOf(config)` fills the defaults.
 */
import { z } from "zod"
import { CalendarDate } from "../results/calendar-date.js"

const days = z.number().positive().finite().max(3_650, "at most 3650 days")

/**
 * @example
 * TimingPolicy.parse({ freshnessDays: { annual: 30, semiannual: 30, quarterly: 20 }, expiryMarginHours: 48 })
 */
export const TimingPolicy = z.strictObject({
  /**
   * Per review cycle: the data used at the due date must be at most this many days old, so the
   * renewal's refresh belongs in `[due - N days, due]`. A cycle not listed keeps `leadTimeDays`.
   */
  freshnessDays: z.strictObject({
    annual: days.optional(),
    semiannual: days.optional(),
    quarterly: days.optional(),
    monthly: days.optional(),
    "ad-hoc": days.optional()
  }).prefault({}),
  /**
   * A refresh within this many hours of a connection's predicted expiry goes to the client
   * (`connection.auth-expiring` becomes a reauthenticate finding); the planner refreshes before it.
   */
  expiryMarginHours: z.number().nonnegative().finite().max(87_600, "at most 87600 hours").default(0),
  /** The lender pre-closing mode: cases tied to a closing (note) date. */
  closing: z.strictObject({
    /** The re-verification belongs within this many business days before the note date. */
    businessDays: z.int().positive().max(260, "at most 260 business days").default(10),
    /** The base holiday calendar (US federal holidays, observed dates), or none. */
    holidays: z.enum(["us-federal", "none"]).default("us-federal"),
    /** More non-business days (a state holiday, a closure). */
    extraHolidays: z.array(CalendarDate).default([]),
    /** Days of the base calendar that are business days after all. */
    workingHolidays: z.array(CalendarDate).default([])
  }).prefault({})
})
export type TimingPolicy = z.infer<typeof TimingPolicy>
export type TimingPolicyInput = z.input<typeof TimingPolicy>

/** The defaults, for a configuration without `timing` (lender cases still get their window). */
export const DEFAULT_TIMING_POLICY: TimingPolicy = TimingPolicy.parse({})

/**
 * The configuration's timing policy with every default filled.
 *
 * @example
 * timingPolicyOf(DEFAULT_POLICY_CONFIG).closing.businessDays // 10
 */
export const timingPolicyOf = (config: { readonly timing?: TimingPolicy | undefined }): TimingPolicy => config.timing ?? DEFAULT_TIMING_POLICY
