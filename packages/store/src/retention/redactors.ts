/**
 * Every kind of personal data Recert stores, one redactor per table or field (redactor.ts). The
 * pass runs them in this order. Not here, on purpose: decisions (no personal fields: connection
 * ids, reasons, figures), the ledger (attempts), the verification row's summary figures and
 * classification, and the employment records (employer, dates, rates). The connections' access
 * tokens (encrypted at rest) are kept while a case on the lineage may be renewed; a closed case's
 * go after its clock (`accessTokens`), and a link deleted at Truv (`recert cases close
 * --delete-link`, or the `link-deleted` webhook) has its token erased at once (ops/connection-deleted.ts).
 */
import { sql } from "kysely"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import { ERASED_TOKEN } from "../ops/connection-deleted.js"
import { type CaseFacts, type Piece, redactedJson, type Redactor, type RedactionStamp } from "./redactor.js"

type Source = "verifications" | "outbox_events" | "verification_queue" | "case_contacts"

/** Case ids of `source` rows with no redaction of `target` under their ref (`refSql`). */
const pendingCasesOf = (source: Source, refSql: string, target: string, extra = "true") =>
  async (db: Kysely<Database>, afterCaseId: string | null, limit: number): Promise<Array<string>> => {
    const after = afterCaseId === null ? sql`` : sql`and t.case_id > ${afterCaseId}`
    const rows = await sql<{ case_id: string }>`select distinct t.case_id from ${sql.table(source)} t
      where ${sql.raw(extra)} ${after}
      and not exists (select 1 from redactions r where r.case_id = t.case_id and r.target = ${target} and r.ref = ${sql.raw(refSql)})
      order by t.case_id limit ${limit}`.execute(db)
    return rows.rows.map((r) => r.case_id)
  }

/** The refs of the case's pieces of `target` already redacted (recorded in `redactions`). */
const redactedRefs = async (trx: Kysely<Database>, caseId: string, target: string): Promise<Set<string>> =>
  new Set((await trx.selectFrom("redactions").select("ref").where("case_id", "=", caseId).where("target", "=", target).execute()).map((r) => r.ref))

/**
 * A redactor's `pieces`: the case's candidate pieces (`list`), less those `target` already
 * redacted. Every redactor lists its pieces so; only the listing is its own.
 */
const piecesOf = (target: string, list: (trx: Kysely<Database>, f: CaseFacts) => Promise<ReadonlyArray<Piece>>): Redactor["pieces"] =>
  async (trx, f) => {
    const done = await redactedRefs(trx, f.caseId, target)
    return (await list(trx, f)).filter((p) => !done.has(p.ref))
  }

/** What a redactor declares; `defineRedactor` derives its `pendingCases` and `pieces` from `target`, `pending` and `list`. */
interface RedactorSpec extends Omit<Redactor, "pendingCases" | "pieces"> {
  /** The table whose rows hold the pieces, the SQL of a row's ref, and which rows count (SQL, default all); or the redactor's own query. */
  readonly pending: { readonly source: Source; readonly refSql: string; readonly where?: string } | Redactor["pendingCases"]
  /** The case's candidate pieces, redacted or not. */
  readonly list: (trx: Kysely<Database>, f: CaseFacts) => Promise<ReadonlyArray<Piece>>
}

const defineRedactor = ({ pending, list, ...spec }: RedactorSpec): Redactor => ({
  ...spec,
  pendingCases: typeof pending === "function" ? pending : pendingCasesOf(pending.source, pending.refSql, spec.target, pending.where),
  pieces: piecesOf(spec.target, list)
})

/** A verification's pieces (raw report, statements): one per order id, delivered with its event. */
const verificationPieces = async (trx: Kysely<Database>, f: CaseFacts): Promise<Array<Piece>> =>
  (await trx.selectFrom("verifications").select("order_id").where("case_id", "=", f.caseId).orderBy("verified_at").orderBy("order_id").execute())
    .map((r) => ({ ref: r.order_id, deliveredAt: f.verificationDeliveredAt.get(r.order_id) ?? null, latest: r.order_id === f.latestOrderId }))

const each = async (refs: ReadonlyArray<string>, f: (ref: string) => Promise<number>): Promise<Map<string, number>> => {
  const out = new Map<string, number>()
  for (const ref of refs) out.set(ref, await f(ref))
  return out
}

/** Truv's order and link reports as received (names, addresses, masked SSN, bank allocations, pay history). */
const verificationRaw = defineRedactor({
  target: "verification.raw", kind: "rawReports",
  removes: "the raw Truv JSON of a verification (order and link reports)",
  keeps: "the verification's class, reason codes, summary figures, notes and employment records",
  heldBy: ["open-request", "undelivered-event"],
  pending: { source: "verifications", refSql: "t.order_id" },
  list: verificationPieces,
  redact: (trx, caseId, refs, stamp: RedactionStamp) => each(refs, async (ref) => {
    const r = await trx.updateTable("verifications").set({ raw: redactedJson(stamp) }).where("case_id", "=", caseId).where("order_id", "=", ref).executeTakeFirst()
    return Number(r.numUpdatedRows)
  })
})

/** The parsed pay statements: every pay date, gross and net, earnings and deductions lines. */
const verificationStatements = defineRedactor({
  target: "verification.statements", kind: "payStatements",
  removes: "a verification's parsed pay statements (verification_statements rows: pay dates, amounts, earnings and deductions lines)",
  keeps: "the summary figures computed from them (monthly gross, annualised income) and the employment records",
  heldBy: ["open-request", "undelivered-event", "baseline-of-open-case"],
  pending: { source: "verifications", refSql: "t.order_id" },
  list: verificationPieces,
  redact: (trx, caseId, refs) => each(refs, async (ref) => {
    const r = await trx.deleteFrom("verification_statements").where("case_id", "=", caseId).where("order_id", "=", ref).executeTakeFirst()
    return Number(r.numDeletedRows)
  })
})

/** How a resolved request reached the client: its share URL (a capability) and Bridge token. */
const requestContact = defineRedactor({
  target: "verification_queue.contact", kind: "clientContact",
  removes: "a resolved verification request's share URL and Bridge token",
  keeps: "the request's kind, reason, instants and resolution",
  heldBy: ["open-request", "undelivered-event"],
  pending: { source: "verification_queue", refSql: "cast(t.id as text)", where: "t.resolved_at is not null" },
  list: async (trx, f) =>
    (await trx.selectFrom("verification_queue").select(["id", "resolved_at"]).where("case_id", "=", f.caseId).where("resolved_at", "is not", null).orderBy("id").execute())
      .map((r) => ({ ref: String(r.id), deliveredAt: r.resolved_at })),
  redact: (trx, caseId, refs) => each(refs, async (ref) => {
    const r = await trx.updateTable("verification_queue").set({ share_url: null, bridge_token: null })
      .where("case_id", "=", caseId).where("id", "=", Number(ref)).executeTakeFirst()
    return Number(r.numUpdatedRows)
  })
})

/** The payload of an event the agency's system received (summary figures, share URLs, reasons). */
const eventPayload = defineRedactor({
  target: "outbox_events.payload", kind: "deliveredEvents",
  removes: "a delivered event's payload (the envelope stays: id, type, instant, case id)",
  keeps: "the event's envelope and its deliveries' record",
  heldBy: ["open-request", "undelivered-event"],
  pending: { source: "outbox_events", refSql: "t.id" },
  list: async (trx, f) =>
    (await trx.selectFrom("outbox_events").select("id").where("case_id", "=", f.caseId).orderBy("seq").execute())
      .map((r) => ({ ref: r.id, deliveredAt: f.eventDeliveredAt.get(r.id) ?? null })),
  redact: (trx, caseId, refs, stamp) => each(refs, async (ref) => {
    const row = await trx.selectFrom("outbox_events").select("body").where("case_id", "=", caseId).where("id", "=", ref).executeTakeFirst()
    if (row === undefined) return 0
    const body = JSON.parse(row.body) as Record<string, unknown>
    // The order id stays (not personal): it ties a verification to its event after the payload is gone.
    const orderId = (body["payload"] as { orderId?: unknown } | undefined)?.orderId
    const stub = { ...JSON.parse(redactedJson(stamp)) as object, ...(typeof orderId === "string" ? { orderId } : {}) }
    const redacted = JSON.stringify({ ...body, payload: stub })
    const r = await trx.updateTable("outbox_events").set({ body: redacted }).where("id", "=", ref).executeTakeFirst()
    return Number(r.numUpdatedRows)
  })
})

/**
 * The client behind the case (issue 16, `case_contacts`): name, email, phone and external user id,
 * encrypted. Needed for every new order of every cycle while the case lives, so only the case's
 * closing starts its clock (`deliveredAt` null); an open request or an undelivered event holds it.
 */
const clientContact = defineRedactor({
  target: "case_contacts.row", kind: "clientContact",
  removes: "the client's name, email, phone and external user id (the case_contacts row)",
  keeps: "nothing of the contact; the case, its decisions, ledger and summary figures stay",
  heldBy: ["open-request", "undelivered-event"],
  pending: { source: "case_contacts", refSql: "t.case_id" },
  list: async (trx, f) =>
    (await trx.selectFrom("case_contacts").select("case_id").where("case_id", "=", f.caseId).execute()).map(() => ({ ref: f.caseId, deliveredAt: null })),
  redact: (trx, caseId) => each([caseId], async () => {
    const r = await trx.deleteFrom("case_contacts").where("case_id", "=", caseId).executeTakeFirst()
    return Number(r.numDeletedRows)
  })
})

/**
 * The access tokens of a closed case's Truv links: each could pull the client's payroll data
 * again. A lineage's tokens serve every case on it (Bridge re-authentication needs them), so only
 * the closing of the last open case on the lineage lets their clock start (`deliveredAt` null: the
 * case's closing, like the client's contact); while another case on it is open they are not listed.
 * The link itself stays at Truv until deleted (`recert cases close --delete-link`).
 */
const accessTokens = defineRedactor({
  target: "connections.access_token", kind: "clientContact",
  removes: "the encrypted access tokens of a closed case's Truv links (erased; the links stay at Truv until deleted)",
  keeps: "the connections' ids, providers and statuses, and the ledger",
  heldBy: ["open-request", "undelivered-event"],
  pending: async (db, afterCaseId, limit) => {
    const after = afterCaseId === null ? sql`` : sql`and c.id > ${afterCaseId}`
    const rows = await sql<{ case_id: string }>`select distinct c.id as case_id from cases c join connections k on k.root_order_id = c.root_order_id
      where c.closed_at is not null and k.access_token <> ${ERASED_TOKEN} ${after}
      and not exists (select 1 from redactions r where r.case_id = c.id and r.target = 'connections.access_token' and r.ref = k.id)
      order by c.id limit ${limit}`.execute(db)
    return rows.rows.map((r) => r.case_id)
  },
  list: async (trx, f) => {
    if (f.closedAt === null) return []
    const kase = await trx.selectFrom("cases").select("root_order_id").where("id", "=", f.caseId).executeTakeFirstOrThrow()
    const open = await trx.selectFrom("cases").select("id").where("root_order_id", "=", kase.root_order_id).where("closed_at", "is", null).executeTakeFirst()
    if (open !== undefined) return []
    return (await trx.selectFrom("connections").select("id").where("root_order_id", "=", kase.root_order_id).where("access_token", "<>", ERASED_TOKEN).orderBy("id").execute())
      .map((c) => ({ ref: c.id, deliveredAt: null }))
  },
  redact: (trx, _caseId, refs) => each(refs, async (ref) => {
    const r = await trx.updateTable("connections").set({ access_token: ERASED_TOKEN }).where("id", "=", ref).executeTakeFirst()
    return Number(r.numUpdatedRows)
  })
})

/** Every redactor, in the order a pass runs them. */
export const REDACTORS: ReadonlyArray<Redactor> = [verificationRaw, verificationStatements, requestContact, clientContact, accessTokens, eventPayload]
