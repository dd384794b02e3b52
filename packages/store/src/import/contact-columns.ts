/**
 * The client's identity and contact on an imported case (issue 16): five optional columns (CSV)
 * or keys (JSON), `firstName`, `lastName`, `email`, `phone`, `externalUserId`, read with core's
 * field rules (`NORMALIZE`): names in any script, NFC-normalised and trimmed; an email address;
 * a phone in E.164 or as a 10-digit US number, stored in E.164. What a deployment's reach mode
 * requires of them (`missingAtImport`) is checked once the contact is complete (`contactIssues`):
 * after the file for `importCases`, after Truv's order filled the gaps for `importFromTruv`.
 * Messages name the line and the field and never quote the value (personal data).
 */
import { type CaseContact, CONTACT_FIELDS, EMPTY_CONTACT, FIELD_EXPECTED, missingAtImport, NORMALIZE, type ReachMode } from "@recert/core"
import type { ImportIssue } from "../errors.js"

export const CONTACT_COLUMNS = CONTACT_FIELDS

const given = (v: unknown): boolean => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "")

/**
 * The contact of one imported row, or null when the row has none. Problems are pushed to
 * `issues` with the row's line (and the contact is then null).
 *
 * @example
 * contactFromColumns({ firstName: "Zoë", lastName: "Ñúñez", phone: "(415) 555-0123" }, 3, issues)
 * // { firstName: "Zoë", lastName: "Ñúñez", email: null, phone: "+14155550123", externalUserId: null }
 */
export const contactFromColumns = (raw: Readonly<Record<string, unknown>>, line: number, issues: Array<ImportIssue>): CaseContact | null => {
  if (!CONTACT_COLUMNS.some((c) => given(raw[c]))) return null
  const before = issues.length
  const contact: Record<string, string | null> = { ...EMPTY_CONTACT }
  for (const field of CONTACT_COLUMNS) {
    const v = raw[field]
    if (!given(v)) continue
    const value = typeof v === "string" ? NORMALIZE[field](v) : null
    // A JSON number or object is refused like malformed text (a phone must be text: E.164 starts with +).
    if (value === null) issues.push({ line, field, message: FIELD_EXPECTED[field] })
    else contact[field] = value
  }
  return issues.length > before ? null : contact as unknown as CaseContact
}

/** What `reach` requires and a case's contact lacks, one issue per field, with the case's line. */
export const contactIssues = (cases: ReadonlyArray<{ readonly line: number; readonly contact: CaseContact | null }>, reach: ReachMode | null): Array<ImportIssue> =>
  reach === null ? [] : cases.flatMap((c) => missingAtImport(reach, c.contact).map((p) => ({ line: c.line, field: p.field, message: p.message })))
