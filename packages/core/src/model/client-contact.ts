/**
 * The client behind a case and how a deployment reaches them (issue 16). A new verification link
 * (a new Truv order) needs the client's name, and, when Truv sends the link, an email or a phone;
 * a case carries them from its import (`CaseContact`, encrypted at rest by the store, never
 * logged). How the client is reached is one setting per deployment (`ReachMode`):
 *
 * | mode | what is asked of Truv | who delivers it |
 * |---|---|---|
 * | `truv-sends` (default) | a new hosted order with the client's email/phone | Truv, by email/SMS, with its own reminders |
 * | `agency-sends` | a new order, Truv's notifications suppressed | the agency: the order's `share_url` (stored, shown, in the `case.client-action-needed` event) |
 * | `bridge` | a Bridge update-mode token for a connection Truv can re-authenticate; else a new order as `agency-sends` | the agency's own embedded Bridge |
 *
 * The field rules are here, pure, so the import (store), the CLI and the scheduler read one
 * definition. Messages name the field and never quote the value (personal data).
 */
import { Context } from "effect"

export const REACH_MODES = ["truv-sends", "agency-sends", "bridge"] as const
export type ReachMode = (typeof REACH_MODES)[number]
export const DEFAULT_REACH_MODE: ReachMode = "truv-sends"

/** How the client is reached: the deployment's setting (the scheduler provides it from its configuration). */
export const ClientReach = Context.Reference<ReachMode>("@recert/core/ClientReach", { defaultValue: () => DEFAULT_REACH_MODE })

/** The client's identity and contact: each field null when not known. Personal data: keep it `Redacted` in code. */
export interface CaseContact {
  readonly firstName: string | null
  readonly lastName: string | null
  readonly email: string | null
  /** E.164 (`+14155550123`). */
  readonly phone: string | null
  /** Truv's `external_user_id`: the agency's id of the client, kept across orders. */
  readonly externalUserId: string | null
}

export const CONTACT_FIELDS = ["firstName", "lastName", "email", "phone", "externalUserId"] as const
export type ContactField = (typeof CONTACT_FIELDS)[number]

export const EMPTY_CONTACT: CaseContact = { firstName: null, lastName: null, email: null, phone: null, externalUserId: null }

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
// A pragmatic address: one @, no spaces, quotes or brackets in the local part; a domain of dot-separated
// labels (letters, digits, hyphens inside) with at least one dot. Not RFC 5322's full grammar (quoted
// local parts, IP literals): no payroll client is reached at one.
const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/
const PHONE_SEPARATORS = /[\s().-]/g
const NANP = /^[2-9]\d{2}[2-9]\d{6}$/

export const FIELD_EXPECTED: Readonly<Record<ContactField, string>> = {
  firstName: "expected the client's first name: 1 to 100 characters, any script, no control characters",
  lastName: "expected the client's last name: 1 to 100 characters, any script, no control characters",
  email: "expected an email address (name@example.org)",
  phone: "expected a phone number in E.164 (+14155550123) or a 10-digit US number ((415) 555-0123, optionally with a leading 1)",
  externalUserId: "expected an id: 1 to 255 characters, no control characters"
}

/** A name as stored: NFC-normalised, surrounding white space trimmed; null when not a name. */
export const normalizeName = (text: string): string | null => {
  const v = text.normalize("NFC").trim()
  return v.length >= 1 && [...v].length <= 100 && !CONTROL.test(v) ? v : null
}

/** An email as stored (trimmed, otherwise exactly as written); null when not an address. */
export const normalizeEmail = (text: string): string | null => {
  const v = text.trim()
  return v.length <= 254 && EMAIL.test(v) ? v : null
}

/**
 * A phone number in E.164: `+` and 8 to 15 digits (the first not 0), or a 10-digit US number (area
 * code and exchange starting 2-9), optionally after a `1`, read as `+1`. Spaces, dots, hyphens and
 * parentheses between the digits are ignored. Null when neither.
 *
 * @example
 * normalizePhone("(415) 555-0123") // "+14155550123"
 * normalizePhone("+44 20 7946 0958") // "+442079460958"
 */
export const normalizePhone = (text: string): string | null => {
  const v = text.trim().replace(PHONE_SEPARATORS, "")
  if (/^\+[1-9]\d{7,14}$/.test(v)) return v
  const digits = /^1?(\d{10})$/.exec(v)?.[1]
  return digits !== undefined && NANP.test(digits) ? `+1${digits}` : null
}

const normalizeId = (text: string): string | null => {
  const v = text.trim()
  return v.length >= 1 && v.length <= 255 && !CONTROL.test(v) ? v : null
}

/** Each field's normaliser: the stored form, or null when the text is not acceptable. */
export const NORMALIZE: Readonly<Record<ContactField, (text: string) => string | null>> = {
  firstName: normalizeName, lastName: normalizeName, email: normalizeEmail, phone: normalizePhone, externalUserId: normalizeId
}

/**
 * What a new order for this contact lacks under `reach`, one problem per field (empty: it has
 * what it needs). Truv requires a name on every order; when Truv sends the link it also needs an
 * email or a phone (reported on `email`).
 */
export const missingForNewOrder = (reach: ReachMode, contact: CaseContact | null): Array<{ readonly field: ContactField; readonly message: string }> => {
  const c = contact ?? EMPTY_CONTACT
  const problems: Array<{ field: ContactField; message: string }> = []
  for (const field of ["firstName", "lastName"] as const) {
    if (c[field] === null) problems.push({ field, message: `required (reach mode ${reach}: a new Truv order carries the client's name)` })
  }
  if (reach === "truv-sends" && c.email === null && c.phone === null) {
    problems.push({ field: "email", message: "an email or a phone is required (reach mode truv-sends: Truv sends the link to it)" })
  }
  return problems
}

/**
 * What a case import must carry for `reach`: a new order's needs, except under `bridge`, where
 * the agency's own portal reaches the client (a connection Truv can re-authenticate needs no
 * contact; a case that later needs a new order without a name is reported then).
 */
export const missingAtImport = (reach: ReachMode, contact: CaseContact | null): Array<{ readonly field: ContactField; readonly message: string }> =>
  reach === "bridge" ? [] : missingForNewOrder(reach, contact)
