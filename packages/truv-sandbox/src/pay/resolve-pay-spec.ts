/**
 * Builds a connection's `PayHistorySpec` from its seed input and the order it was seeded with:
 * the defaults (one employment at the suborder's company, bi-weekly, $22.50 an hour, 40 hours a
 * week, started on the Monday on or before the root order's creation date minus 730 days; the
 * person of the order, SSN 991919991 as in Truv's sandbox) and then every knob in order.
 */
import { dayOfInstant, mondayOnOrBefore, dayOf } from "./civil-date.js"
import { applyPayChange, employmentFrom } from "./pay-knobs.js"
import { type PayHistorySpec, PayHistoryInput } from "./pay-spec.js"

/** Days between the default employment start and the root order's creation. */
export const DEFAULT_START_BEFORE_ORDER_DAYS = 730
export const DEFAULT_SSN = "991919991"
export const DEFAULT_DATE_OF_BIRTH = "1990-04-12"

export interface PayContext {
  readonly companyName: string
  readonly firstName: string
  readonly lastName: string
  readonly email: string | null
  /** The root order's creation instant (ms). */
  readonly rootCreatedAt: number
}

export function resolvePaySpec(input: unknown, context: PayContext): PayHistorySpec {
  const parsed = PayHistoryInput.parse(input ?? {})
  const startDate = parsed.startDate === undefined
    ? mondayOnOrBefore(dayOfInstant(context.rootCreatedAt) - DEFAULT_START_BEFORE_ORDER_DAYS)
    : dayOf(parsed.startDate)
  const base: PayHistorySpec = {
    person: {
      firstName: context.firstName, lastName: context.lastName, email: context.email,
      ssn: parsed.ssn ?? DEFAULT_SSN, dateOfBirth: parsed.dateOfBirth ?? DEFAULT_DATE_OF_BIRTH
    },
    employments: [employmentFrom(parsed, startDate, context.companyName, 0)]
  }
  return parsed.changes.reduce((spec, change) => applyPayChange(spec, change), base)
}
