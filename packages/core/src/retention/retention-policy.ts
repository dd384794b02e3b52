/**
 * The retention policy: how long each kind of personal data is kept once its purpose has ended,
 * that is after the verification it came with was delivered to the agency's system (every
 * destination answered 2xx), or after the case was closed, whichever comes first. Durations in
 * milliseconds; the defaults follow the government's consent-based verification service, which
 * redacts a flow's personal data seven days after delivery.
 *
 * What is never redacted (the audit trail): the decision records, the ledger of attempts, each
 * verification's summary figures and classification (class, reason codes, summary, notes), the
 * employment records' figures, the redaction records themselves.
 *
 * @example
 * const policy = parseRetentionPolicy({ rawReports: "3d" })
 * // { rawReports: 259200000, payStatements: 604800000, clientContact: 604800000, deliveredEvents: 2592000000 }
 */
import { z } from "zod"
import { DURATION_EXPECTED, parseDurationText } from "../duration.js"
import { InvalidInput, issuesFromZod } from "../errors.js"

const DAY_MS = 86_400_000

/** The kinds of personal data a retention period applies to. */
export const RETENTION_KINDS = ["rawReports", "payStatements", "clientContact", "deliveredEvents"] as const
export type RetentionKind = typeof RETENTION_KINDS[number]

/** How long each kind is kept after its purpose ended (ms). */
export type RetentionPolicy = Readonly<Record<RetentionKind, number>>

/**
 * The documented defaults:
 * - `rawReports` (Truv's order and link reports as received, credentials already removed): 7 days;
 * - `payStatements` (the parsed pay statements, earnings and deductions lines): 7 days, and never
 *   the latest verification of an open case (the next renewal compares with it);
 * - `clientContact` (how the client is reached: a request's share URL and Bridge token, the
 *   client's name, email and phone): 7 days;
 * - `deliveredEvents` (the payloads of events the agency's system received): 30 days.
 */
export const DEFAULT_RETENTION_POLICY: RetentionPolicy = {
  rawReports: 7 * DAY_MS,
  payStatements: 7 * DAY_MS,
  clientContact: 7 * DAY_MS,
  deliveredEvents: 30 * DAY_MS
}

/** A period: a whole number of milliseconds, or core's duration text (`7d`, `36h`). */
const Ms = z.union([z.number().int("expected a whole number of milliseconds").min(0, "must not be negative"), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v
  const parsed = parseDurationText(v)
  if (parsed.ok) return parsed.ms
  ctx.addIssue({ code: "custom", message: `expected ${DURATION_EXPECTED}` })
  return 0
})

/** The policy's schema: every field optional (its default), unknown keys refused. */
export const RetentionPolicyInput = z.strictObject({
  rawReports: Ms.optional(),
  payStatements: Ms.optional(),
  clientContact: Ms.optional(),
  deliveredEvents: Ms.optional()
})
export type RetentionPolicyInput = z.input<typeof RetentionPolicyInput>

/** Validates `raw` and fills in the defaults; `InvalidInput` names every bad path. */
export const parseRetentionPolicy = (raw: unknown): RetentionPolicy => {
  const parsed = RetentionPolicyInput.safeParse(raw ?? {})
  if (!parsed.success) throw new InvalidInput({ what: "retention policy", issues: issuesFromZod(parsed.error, "retention") })
  const out: Record<RetentionKind, number> = { ...DEFAULT_RETENTION_POLICY }
  for (const kind of RETENTION_KINDS) {
    const v = parsed.data[kind]
    if (v !== undefined) out[kind] = v
  }
  return out
}
