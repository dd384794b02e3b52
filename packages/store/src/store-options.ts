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
  /**
   * Create the database when it does not exist (a missing SQLite file, a database or schema
   * without Recert's tables). Default true; the apps pass false unless the operator asked
   * (`--create`, `recert db init`), so a mistyped path is an error, not a new empty ledger.
   */
  readonly create?: boolean
  /**
   * Open read-only: no migration, no write of any kind (SQLite: a read-only connection; Postgres:
   * read-only sessions, so a write fails with `StoreError` reason `read-only`, and a role with
   * only SELECT grants can read). Default false.
   */
  readonly readOnly?: boolean
  /**
   * Open without an encryption key (`encryptionKey` is ignored): reading works, storing or reading
   * an access token fails, and the key fingerprint is neither checked nor stored. For tools that
   * never touch a token (the admin CLI without a configured key).
   */
  readonly keyless?: boolean
  /** Run pending migrations when the layer starts. Default true. */
  readonly migrate?: boolean
  /** Test hooks (crash tests). Not for production use. */
  readonly hooks?: StoreHooks
}
