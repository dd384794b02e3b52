/**
 * How long a connection stays authorized, by its auth kind (truv-api-notes §3.4): Truv says OAuth
 * connections last about 180 days and session-based ones "vary by provider, weeks to months, no
 * fixed guarantee". Every link follows this by default, whatever its scripted behaviour: a refresh
 * of an expired connection is still accepted, counted and billed, and its task ends `login_error`
 * (the user must re-authenticate through Bridge). Options change the figures; a seeded connection
 * may carry its own `validityDays` (null: never expires) for a test that wants something Truv
 * leaves to chance.
 */
import { z } from "zod"
import type { AuthKind } from "@recert/core"
import { DAY_MS } from "./truv-time.js"

const Days = z.number().positive()

export const ConnectionValidity = z.strictObject({
  /** OAuth connections: Truv's ~180 days (the help centre's 90 is the session figure, see README). */
  oauthDays: Days.default(180),
  /**
   * Session-based connections (and `unknown`, whose kind Truv did not tell us): the help centre's
   * "active for 90 days after the initial login", the conservative figure within "weeks to months".
   */
  sessionDays: Days.default(90),
  /** Per-provider session lifetimes in days, by the provider's name or id; null: never expires. */
  sessionDaysByProvider: z.record(z.string(), Days.nullable()).default({})
})
export type ConnectionValidity = z.infer<typeof ConnectionValidity>
export type ConnectionValidityInput = z.input<typeof ConnectionValidity>

export interface ValidityFacts {
  readonly authKind: AuthKind
  readonly providerName: string
  readonly providerId: string
  readonly authenticatedAt: number
  /** The connection's own lifetime from its seed: undefined follows the rule, null never expires. */
  readonly validityDays?: number | null | undefined
}

/** The instant the connection stops being authorized, or null when it never does. */
export const expiresAt = (link: ValidityFacts, rule: ConnectionValidity): number | null => {
  const days = link.validityDays !== undefined ? link.validityDays : link.authKind === "oauth" ? rule.oauthDays : sessionDays(link, rule)
  return days === null ? null : link.authenticatedAt + days * DAY_MS
}

const sessionDays = (link: ValidityFacts, rule: ConnectionValidity): number | null => {
  const byProvider = rule.sessionDaysByProvider
  if (link.providerName in byProvider) return byProvider[link.providerName] ?? null
  if (link.providerId in byProvider) return byProvider[link.providerId] ?? null
  return rule.sessionDays
}

export const isExpired = (link: ValidityFacts, rule: ConnectionValidity, at: number): boolean => {
  const end = expiresAt(link, rule)
  return end !== null && at >= end
}
