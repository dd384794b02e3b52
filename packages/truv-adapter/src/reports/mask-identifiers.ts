/**
 * Masking at the edge: Truv's reports carry the client's SSN (Truv masks all but the last four,
 * but an integration may return it whole) and bank account numbers (the direct-deposit
 * allocations). The stored copy keeps only what a caseworker needs to recognise them: the last
 * four digits. Applied to the raw JSON before it leaves the adapter, so no full SSN or account
 * number reaches the database, the logs, an error or an event.
 */

/** The keys whose values are identifiers masked to their last four characters, wherever they appear. */
export const MASKED_KEYS: ReadonlySet<string> = new Set(["ssn", "social_security_number", "account_number"])

/** `XXXXX` then the last four digits (or letters) of `value` (Truv's own masked form; its `"4821"` stays `XXXXX4821`). */
export const maskIdentifier = (value: string): string => `XXXXX${value.replace(/[^0-9A-Za-z]/g, "").replace(/^X+/i, "").slice(-4)}`

/**
 * A deep copy of `json` with every non-empty string under a key of `MASKED_KEYS` masked.
 *
 * @example
 * maskIdentifiers({ profile: { ssn: "991919991" }, bank_accounts: [{ account_number: "000123456789" }] })
 * // { profile: { ssn: "XXXXX9991" }, bank_accounts: [{ account_number: "XXXXX6789" }] }
 */
export const maskIdentifiers = (json: unknown): unknown => {
  if (Array.isArray(json)) return json.map(maskIdentifiers)
  if (typeof json !== "object" || json === null) return json
  return Object.fromEntries(Object.entries(json).map(([key, value]) =>
    [key, MASKED_KEYS.has(key) && typeof value === "string" && value !== "" ? maskIdentifier(value) : maskIdentifiers(value)]))
}
