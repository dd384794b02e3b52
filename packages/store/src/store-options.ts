/**
 * How to open the SQL store (`SqlStore.layer(options)`): where the database is, the encryption
 * key of the access tokens, the policy `reserve` decides with, and Postgres' schema and pool.
 */
import type { PolicyConfig } from "@recert/core"
import type { Redacted } from "effect"
import type { StoreHooks } from "./ops/reserve.js"

export interface StoreOptions {
  /**
   * A SQLite file path (or `:memory:`), or a `postgres://` / `postgresql://` URL.
   * Default: `DATABASE_URL` when set, else `.recert/recert.sqlite`.
   */
  readonly url?: string
  /** 32 bytes as hex or base64 (from `RECERT_ENCRYPTION_KEY`). Missing or malformed: `EncryptionKeyInvalid` at startup. */
  readonly encryptionKey: Redacted.Redacted<string> | undefined
  /** The policy `reserve` decides with. Default: core's `DEFAULT_POLICY_CONFIG`. */
  readonly policy?: PolicyConfig
  /** Postgres only: the schema to use (created by `migrate`). Default `public`. */
  readonly schema?: string
  /** Postgres only: pool size. Default 10. */
  readonly poolSize?: number
  /** Run pending migrations when the layer starts. Default true. */
  readonly migrate?: boolean
  /** Test hooks (crash tests). Not for production use. */
  readonly hooks?: StoreHooks
}
