/**
 * Truv webhook signatures (truv-api-notes §4.1): `X-WEBHOOK-SIGN: v1=<hex HMAC-SHA256>` over
 * the raw request body, keyed with the access secret. Verification compares in constant time
 * and never re-serialises the body: a receiver must pass the bytes it received.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"

export const WEBHOOK_SIGNATURE_HEADER = "x-webhook-sign"

type Secret = string | Redacted.Redacted<string>

const reveal = (secret: Secret): string => (typeof secret === "string" ? secret : Redacted.value(secret))

const hmacHex = (body: string | Uint8Array, secret: Secret): string =>
  createHmac("sha256", reveal(secret)).update(body).digest("hex")

/**
 * The header value Truv would send for `body`.
 *
 * @example
 * signWebhookBody('{"event_type":"order-created"}', "sandbox-secret") // "v1=…64 hex…"
 */
export const signWebhookBody = (body: string | Uint8Array, secret: Secret): string => `v1=${hmacHex(body, secret)}`

export type WebhookSignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "missing" | "malformed" | "mismatch" }

/**
 * Checks `header` (the `X-WEBHOOK-SIGN` value, or undefined when absent) against the raw body.
 *
 * @example
 * verifyWebhookSignature(rawBody, req.headers["x-webhook-sign"], secret).ok
 */
export const verifyWebhookSignature = (
  body: string | Uint8Array,
  header: string | ReadonlyArray<string> | null | undefined,
  secret: Secret
): WebhookSignatureCheck => {
  if (header === undefined || header === null || (typeof header !== "string" && header.length === 0)) {
    return { ok: false, reason: "missing" }
  }
  if (typeof header !== "string") return { ok: false, reason: "malformed" }
  const value = header.trim()
  if (value === "") return { ok: false, reason: "missing" }
  const match = /^v1=([0-9a-fA-F]{64})$/.exec(value)
  if (match === null) return { ok: false, reason: "malformed" }
  const given = Buffer.from(match[1]!.toLowerCase(), "hex")
  const expected = Buffer.from(hmacHex(body, secret), "hex")
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: "mismatch" }
}
