/**
 * The client behind a case (issue 16, migration `0009_client_contact`): core's `CaseContact` as
 * one JSON document, encrypted with the access tokens' cipher and key (AES-256-GCM, a fresh IV per
 * write), with `case-contact:<case id>` as additional authenticated data, so a ciphertext copied
 * onto another case's row, or onto a connection's token, does not decrypt. The plaintext never
 * leaves this file except as `Redacted`; errors name the case, never a field's value.
 *
 * Writes happen inside the import's transaction (`importCases`, `importFromTruv`): an upsert that
 * leaves a row alone when it already decrypts to the same contact, so importing the same file
 * again writes nothing (`updated_at` keeps the first write).
 */
import { type CaseContact, EMPTY_CONTACT } from "@recert/core"
import { Redacted } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import type { TokenCipher } from "../token-cipher.js"

const CHUNK = 500

const aad = (caseId: string): string => `case-contact:${caseId}`

/** The document encrypted: every field, in a fixed order, so equal contacts serialise alike. */
const plaintext = (c: CaseContact): string =>
  JSON.stringify({ firstName: c.firstName, lastName: c.lastName, email: c.email, phone: c.phone, externalUserId: c.externalUserId })

const encrypt = (cipher: TokenCipher, caseId: string, contact: CaseContact): string => {
  try {
    return cipher.encrypt(aad(caseId), Redacted.make(plaintext(contact)))
  } catch {
    throw new Error(`case ${caseId}: cannot store the client's contact: no encryption key configured (set RECERT_ENCRYPTION_KEY)`)
  }
}

const decrypt = (cipher: TokenCipher, caseId: string, stored: string): CaseContact => {
  let text: string
  try {
    text = Redacted.value(cipher.decrypt(aad(caseId), stored))
  } catch {
    throw new Error(`case ${caseId}: the stored client contact does not decrypt under the configured key`)
  }
  return { ...EMPTY_CONTACT, ...(JSON.parse(text) as Partial<CaseContact>) }
}

/**
 * Stores each case's contact, in the caller's transaction; a row that already holds the same
 * contact is not rewritten. Returns how many rows were written.
 */
export const upsertContacts = async (
  trx: Kysely<Database>, d: DialectAdapter, cipher: TokenCipher, items: ReadonlyArray<{ readonly caseId: string; readonly contact: CaseContact }>, now: number
): Promise<number> => {
  if (items.length === 0) return 0
  const stored = new Map<string, string>()
  for (let i = 0; i < items.length; i += CHUNK) {
    const rows = await trx.selectFrom("case_contacts").select(["case_id", "ciphertext"]).where("case_id", "in", items.slice(i, i + CHUNK).map((x) => x.caseId)).execute()
    for (const r of rows) stored.set(r.case_id, r.ciphertext)
  }
  const changed = items.filter((x) => {
    const before = stored.get(x.caseId)
    return before === undefined || plaintext(decrypt(cipher, x.caseId, before)) !== plaintext(x.contact)
  })
  const chunk = Math.max(1, Math.floor(d.maxParams / 3))
  for (let i = 0; i < changed.length; i += chunk) {
    await trx.insertInto("case_contacts")
      .values(changed.slice(i, i + chunk).map((x) => ({ case_id: x.caseId, ciphertext: encrypt(cipher, x.caseId, x.contact), updated_at: now })))
      .onConflict((oc) => oc.column("case_id").doUpdateSet((eb) => ({ ciphertext: eb.ref("excluded.ciphertext"), updated_at: eb.ref("excluded.updated_at") })))
      .execute()
  }
  return changed.length
}

/** The case's contact, decrypted, or null when it has none. */
export const readContact = async (db: Kysely<Database>, cipher: TokenCipher, caseId: string): Promise<Redacted.Redacted<CaseContact> | null> => {
  const row = await db.selectFrom("case_contacts").select("ciphertext").where("case_id", "=", caseId).executeTakeFirst()
  return row === undefined ? null : Redacted.make(decrypt(cipher, caseId, row.ciphertext))
}
