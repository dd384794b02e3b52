/**
 * The store's opening sequence, in the order that keeps a wrong configuration from touching
 * anything: parse the key; open the database (a SQLite typo is not created unless `create`); read
 * the key fingerprint it holds and refuse another key (`EncryptionKeyMismatch`) before any other
 * read or write; refuse a database without Recert's schema unless `create`; migrate (not when
 * read-only); then store the key's fingerprint if none is stored. Driver failures of the first
 * contact (a Postgres host that does not resolve, a refused login, a server that does not answer)
 * become `DatabaseUnavailable` with a reason, so the apps can say in one line what is wrong.
 */
import { type StoreError } from "@recert/core"
import { Effect } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "./database.js"
import type { DialectAdapter } from "./dialect/adapter.js"
import { DatabaseUnavailable, EncryptionKeyInvalid, EncryptionKeyMismatch } from "./errors.js"
import { schemaVersion } from "./migrate.js"
import { defaultDatabaseUrl, isPostgresUrl, openDatabase, redactDatabaseUrl } from "./open-database.js"
import { keyFingerprint, readKeyFingerprint, storeKeyFingerprint } from "./ops/key-fingerprint.js"
import { tryDb } from "./run.js"
import { storeErrorFrom } from "./driver-error.js"
import type { StoreOptions } from "./store-options.js"
import { makeTokenCipher, parseEncryptionKey, type TokenCipher } from "./token-cipher.js"

export interface OpenedStore {
  readonly db: Kysely<Database>
  readonly adapter: DialectAdapter
  readonly cipher: TokenCipher
  /** The key's fingerprint, to store after migrating (null: keyless, nothing to store). */
  readonly fingerprint: string | null
}

const POSTGRES_REASONS: Readonly<Record<string, readonly [DatabaseUnavailable["reason"], string]>> = {
  ENOTFOUND: ["host-not-found", "the database host does not resolve"],
  ECONNREFUSED: ["unreachable", "the database server refused the connection (is it running, on that port?)"],
  ETIMEDOUT: ["unreachable", "the database server did not answer in time"],
  EAI_AGAIN: ["unreachable", "the database host could not be resolved just now (DNS)"],
  ECONNRESET: ["unreachable", "the database server closed the connection"],
  "3D000": ["missing", "no such database on the server"],
  "28P01": ["login-refused", "the server refused the user or password"],
  "28000": ["login-refused", "the server refused the login"]
}

/** A first-contact driver failure as `DatabaseUnavailable`, else a `StoreError` naming the step. */
const firstContactError = (label: string) => (error: unknown): DatabaseUnavailable | StoreError => {
  if (error instanceof DatabaseUnavailable) return error
  const raw = (error as { code?: unknown }).code
  const code = typeof raw === "string" ? raw : ""
  const known = POSTGRES_REASONS[code]
  if (known !== undefined) return new DatabaseUnavailable({ database: label, reason: known[0], detail: known[1] })
  if (code === "SQLITE_NOTADB") return new DatabaseUnavailable({ database: label, reason: "not-a-database", detail: "not a SQLite database (is it the right file?)" })
  return storeErrorFrom("open", error)
}

/** A cipher for a store opened without a key: reading works, tokens cannot be stored or read. */
const keylessCipher: TokenCipher = {
  encrypt: (connectionId) => { throw new Error(`connection ${connectionId}: no encryption key configured, cannot store an access token`) },
  decrypt: (connectionId) => { throw new Error(`connection ${connectionId}: no encryption key configured, cannot read an access token`) }
}

/** Opens, checks the key against the database and the schema's presence; the database closes with the scope. */
export const openStore = (options: StoreOptions) => Effect.gen(function*() {
  const key = options.keyless === true ? null : parseEncryptionKey(options.encryptionKey)
  if (key instanceof EncryptionKeyInvalid) return yield* key
  const url = options.url ?? defaultDatabaseUrl()
  const label = isPostgresUrl(url) ? redactDatabaseUrl(url) : url
  const create = options.create !== false && options.readOnly !== true
  const { db, adapter } = yield* Effect.acquireRelease(
    Effect.try({
      try: () => openDatabase(url, {
        create, readOnly: options.readOnly === true,
        ...(options.schema !== undefined ? { schema: options.schema } : {}), ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {})
      }),
      catch: firstContactError(label)
    }),
    ({ db }) => Effect.promise(() => db.destroy())
  )
  const stored = yield* Effect.tryPromise({ try: () => readKeyFingerprint(db), catch: firstContactError(label) })
  const fingerprint = key === null ? null : keyFingerprint(key)
  if (fingerprint !== null && stored !== null && stored !== fingerprint) return yield* new EncryptionKeyMismatch({ database: label })
  if (!create) {
    const version = yield* tryDb("schemaVersion", () => schemaVersion(db, adapter))
    if (version.current === null) {
      return yield* new DatabaseUnavailable({ database: label, reason: "missing", detail: "holds no Recert schema (nothing was created): create it first, or name the right database" })
    }
  }
  const opened: OpenedStore = { db, adapter, cipher: key === null ? keylessCipher : makeTokenCipher(key), fingerprint: stored === null && options.readOnly !== true ? fingerprint : null }
  return opened
})

/** After migrating: stores the key's fingerprint if none was, and refuses if a concurrent opener stored another. */
export const adoptKey = (opened: OpenedStore, label: string): Effect.Effect<void, EncryptionKeyMismatch | StoreError> =>
  opened.fingerprint === null ? Effect.void : Effect.flatMap(
    tryDb("storeKeyFingerprint", () => storeKeyFingerprint(opened.db, opened.fingerprint!)),
    (kept) => kept === opened.fingerprint ? Effect.void : Effect.fail(new EncryptionKeyMismatch({ database: label }))
  )

/** The label messages use for `options.url` (a Postgres password redacted). */
export const databaseLabel = (options: StoreOptions): string => {
  const url = options.url ?? defaultDatabaseUrl()
  return isPostgresUrl(url) ? redactDatabaseUrl(url) : url
}
