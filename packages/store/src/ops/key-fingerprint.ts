/**
 * Ties an encryption key to its database: the database keeps a fingerprint of the key its access
 * tokens are encrypted under (an HMAC-SHA256 of a constant under the key: it identifies the key
 * without revealing it), written when the store first opens the database with a key, and checked
 * at every later open before anything else is read or written. A key from another database (a key
 * file found beside the wrong database, a variable left over from another environment) is then a
 * configuration error at start-up, instead of tokens that fail to decrypt one by one at night.
 *
 * Table `store_meta` (migration `0006_store_meta`): one row per named value. Locking: the write
 * is an insert that keeps the first row (two processes opening a new database at once both read
 * back the one fingerprint that won).
 */
import { createHmac } from "node:crypto"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"

/** The row's name in `store_meta`. */
export const KEY_FINGERPRINT = "encryption_key_fingerprint"

interface StoreMetaTable {
  name: string
  value: string
}
type WithMeta = Kysely<Database & { store_meta: StoreMetaTable }>

/** `v1:` and the base64 HMAC-SHA256, under `key`, of a constant: the same key, the same fingerprint. */
export const keyFingerprint = (key: Buffer): string =>
  `v1:${createHmac("sha256", key).update("recert/store/encryption-key-fingerprint/v1").digest("base64")}`

/** Whether a driver error says the table does not exist (a database older than `0006_store_meta`, or empty). */
const isMissingTable = (error: unknown): boolean =>
  typeof error === "object" && error !== null &&
  ((error as { code?: unknown }).code === "42P01" || /no such table/.test(String((error as { message?: unknown }).message)))

/** The stored fingerprint, or null when none is stored yet (or the database has no `store_meta`). */
export const readKeyFingerprint = async (db: Kysely<Database>): Promise<string | null> => {
  try {
    const row = await (db as unknown as WithMeta).selectFrom("store_meta").select("value").where("name", "=", KEY_FINGERPRINT).executeTakeFirst()
    return row?.value ?? null
  } catch (error) {
    if (isMissingTable(error)) return null
    throw error
  }
}

/**
 * Stores `fingerprint` unless one is stored already; returns the one stored (the first writer's).
 * A database not migrated to `0006_store_meta` yet (opened with `migrate: false`) keeps none: the
 * first open that migrates it stores it.
 */
export const storeKeyFingerprint = async (db: Kysely<Database>, fingerprint: string): Promise<string> => {
  try {
    await (db as unknown as WithMeta).insertInto("store_meta").values({ name: KEY_FINGERPRINT, value: fingerprint })
      .onConflict((oc) => oc.column("name").doNothing()).execute()
  } catch (error) {
    if (isMissingTable(error)) return fingerprint
    throw error
  }
  return (await readKeyFingerprint(db)) ?? fingerprint
}
