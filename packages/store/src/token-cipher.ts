/**
 * Access tokens at rest: AES-256-GCM under a 32-byte key from the environment
 * (`RECERT_ENCRYPTION_KEY`, hex or base64). Each token gets a fresh 96-bit IV, and the
 * connection id is bound as additional authenticated data, so a ciphertext copied onto another
 * connection's row fails to decrypt instead of handing out the wrong token. Stored form:
 * `v1.<base64 iv>.<base64 tag>.<base64 ciphertext>`.
 */
import { Redacted } from "effect"
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"
import { EncryptionKeyInvalid } from "./errors.js"

export interface TokenCipher {
  encrypt(connectionId: string, token: Redacted.Redacted<string>): string
  /** Throws (without the token or key in the message) when the ciphertext is not ours. */
  decrypt(connectionId: string, stored: string): Redacted.Redacted<string>
}

/** Parses a 32-byte key written as 64 hex characters or base64 (44 characters with padding). */
export const parseEncryptionKey = (key: Redacted.Redacted<string> | undefined): Buffer | EncryptionKeyInvalid => {
  if (key === undefined) return new EncryptionKeyInvalid({ reason: "missing" })
  const text = Redacted.value(key).trim()
  if (text === "") return new EncryptionKeyInvalid({ reason: "empty" })
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex")
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64")
    if (bytes.length === 32) return bytes
    return new EncryptionKeyInvalid({ reason: `decodes to ${bytes.length} bytes, not 32` })
  }
  return new EncryptionKeyInvalid({ reason: "neither hex nor base64" })
}

/** A fresh random key in base64, for the demo and tests. */
export const generateEncryptionKey = (): Redacted.Redacted<string> => Redacted.make(randomBytes(32).toString("base64"))

const IV_BYTES = 12
const IV_POOL = 4096

export const makeTokenCipher = (key: Buffer): TokenCipher => {
  // IVs are drawn from a pooled CSPRNG buffer (one syscall per 4096 tokens on bulk loads); each
  // 12-byte slice is used once, so IVs stay random and unique per key as GCM requires.
  let pool = randomBytes(IV_BYTES * IV_POOL)
  let next = 0
  const freshIv = (): Buffer => {
    if (next === IV_POOL) { pool = randomBytes(IV_BYTES * IV_POOL); next = 0 }
    const iv = pool.subarray(next * IV_BYTES, (next + 1) * IV_BYTES)
    next++
    return iv
  }
  return {
    encrypt: (connectionId, token) => {
      const iv = freshIv()
      const cipher = createCipheriv("aes-256-gcm", key, iv)
      cipher.setAAD(Buffer.from(connectionId, "utf8"))
      const body = Buffer.concat([cipher.update(Redacted.value(token), "utf8"), cipher.final()])
      return `v1.${iv.toString("base64")}.${cipher.getAuthTag().toString("base64")}.${body.toString("base64")}`
    },
    decrypt: (connectionId, stored) => {
      const [version, iv, tag, body] = stored.split(".")
      if (version !== "v1" || iv === undefined || tag === undefined || body === undefined) {
        throw new Error(`connection ${connectionId}: stored access token is not in the v1 format`)
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"))
        decipher.setAAD(Buffer.from(connectionId, "utf8"))
        decipher.setAuthTag(Buffer.from(tag, "base64"))
        return Redacted.make(Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8"))
      } catch {
        throw new Error(`connection ${connectionId}: access token does not decrypt under the configured key`)
      }
    }
  }
}
