/**
 * Truv's JSON with its credentials taken out, for keeping beside a parsed report. An order and a
 * link report carry the connection's `access_token` (which can pull more data) and the order's
 * `bridge_token`; a stored copy must not, because the store keeps access tokens only encrypted
 * and nothing in clear may reach the database file, logs or `--json` output.
 */

/** The keys whose values are credentials, wherever they appear. */
export const CREDENTIAL_KEYS: ReadonlySet<string> = new Set(["access_token", "bridge_token", "public_token"])

/** The marker a removed credential leaves, so a reader sees that the field was there. */
export const REDACTED = "[redacted]"

/**
 * A deep copy of `json` with every credential value (a non-empty string under a key of
 * `CREDENTIAL_KEYS`) replaced by `"[redacted]"`; null stays null.
 *
 * @example
 * redactCredentials({ employers: [{ link_id: "l1", access_token: "secret" }] })
 * // { employers: [{ link_id: "l1", access_token: "[redacted]" }] }
 */
export const redactCredentials = (json: unknown): unknown => {
  if (Array.isArray(json)) return json.map(redactCredentials)
  if (typeof json !== "object" || json === null) return json
  return Object.fromEntries(Object.entries(json).map(([key, value]) =>
    [key, CREDENTIAL_KEYS.has(key) && typeof value === "string" && value !== "" ? REDACTED : redactCredentials(value)]))
}
