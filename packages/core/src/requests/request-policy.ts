/**
 * The `requests` section of the policy configuration: when a verification request's client is
 * reminded and what happens when it expires. Optional in `PolicyConfig` and resolved with
 * `requestPolicyOf`, so configurations written before it keep their policy version.
 *
 * Defaults (documented in docs/decisions.md): reminders 48, 24 and 4 hours before the request
 * expires (three spread over a new order's 72 weekday hours, as Truv's own reminders are; a Bridge
 * token's 6 h life only has room for the last), and at most 2 replacements of an expired request
 * per cycle: the client gets at most three links per cycle, then the case goes to a caseworker.
 */
import { z } from "zod"

const HOURS_MAX = 2_016 // 12 weeks, Truv's longest order expiry

/**
 * @example
 * RequestPolicy.parse({})                                                         // the defaults
 * RequestPolicy.parse({ reminders: { beforeExpiryHours: [24] }, maxReplacementsPerCycle: 0 })
 */
export const RequestPolicy = z.strictObject({
  reminders: z.strictObject({
    /**
     * Hours before the request expires at which the client is reminded (weekday hours for a new
     * order, the way its expiry counts; plain hours for a Bridge token). An instant that falls
     * before the request was created is skipped. Empty: no reminders.
     */
    beforeExpiryHours: z.array(z.number().positive().finite().max(HOURS_MAX, `at most ${HOURS_MAX} hours`)).max(20).default([48, 24, 4])
  }).prefault({}),
  /** How many times an expired request is replaced in one cycle while the case still needs it; then the case is escalated. */
  maxReplacementsPerCycle: z.int().nonnegative().max(20).default(2)
})
export type RequestPolicy = z.infer<typeof RequestPolicy>
export type RequestPolicyInput = z.input<typeof RequestPolicy>

export const DEFAULT_REQUEST_POLICY: RequestPolicy = RequestPolicy.parse({})

/** The `requests` section of a configuration, with its defaults. */
export const requestPolicyOf = (config: { readonly requests?: RequestPolicy | undefined }): RequestPolicy =>
  config.requests ?? DEFAULT_REQUEST_POLICY
