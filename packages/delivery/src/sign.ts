/**
 * The Standard Webhooks signature (standardwebhooks.com, "Signature scheme"): the secret is
 * `whsec_` + base64 of the key bytes; the signed content is `${webhook-id}.${webhook-timestamp}.${body}`;
 * the signature is `v1,` + base64(HMAC-SHA256(key, content)). Written here on node:crypto (a
 * dozen lines); the tests check it against the spec's published example and the
 * `standardwebhooks` package's verifier (an implementation we did not write).
 */
import { createHmac } from "node:crypto"

/** The headers of one delivery, as the spec names them. */
export interface WebhookHeaders {
  readonly "webhook-id": string
  readonly "webhook-timestamp": string
  readonly "webhook-signature": string
}

const PREFIX = "whsec_"

/** Why a secret is refused, or null when it is a `whsec_` secret with at least 24 key bytes. */
export const secretProblem = (secret: string): string | null => {
  if (!secret.startsWith(PREFIX)) return `must start with "${PREFIX}"`
  const b64 = secret.slice(PREFIX.length)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return `must be "${PREFIX}" followed by base64`
  const bytes = Buffer.from(b64, "base64").length
  return bytes < 24 || bytes > 64 ? `must hold 24 to 64 key bytes (has ${bytes})` : null
}

/** `v1,<base64>` for `body` sent as message `id` at `timestampSec` (Unix seconds). */
export const signature = (secret: string, id: string, timestampSec: number, body: string): string => {
  const key = Buffer.from(secret.slice(PREFIX.length), "base64")
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSec}.${body}`).digest("base64")}`
}

/**
 * @example
 * fetch(url, { method: "POST", headers: { ...webhookHeaders(secret, event.id, Math.floor(Date.now() / 1000), body), "content-type": "application/json" }, body })
 */
export const webhookHeaders = (secret: string, id: string, timestampSec: number, body: string): WebhookHeaders => ({
  "webhook-id": id, "webhook-timestamp": String(timestampSec), "webhook-signature": signature(secret, id, timestampSec, body)
})
