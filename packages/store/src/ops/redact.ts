/**
 * The redaction pass: removes the personal data whose retention has ended (`scope.policy`, the
 * job of `serve` and the step of `run`), or by hand that of one case (`scope.caseId`) or whose
 * purpose ended before an instant (`scope.before`). Each case is one write transaction: its facts
 * are read (closing, open requests, events not delivered, when each event and verification was
 * delivered), every redactor (`retention/redactors.ts`) lists the case's pieces not redacted yet,
 * core's `retentionVerdict` says which are due, and those are removed and recorded in
 * `redactions` with the instant and the reason. A piece already recorded is never listed again,
 * so a pass run twice redacts nothing the second time. A dry run reads the same in a read
 * transaction and writes nothing, so it runs on a store opened read-only (`recert redact --dry-run`).
 *
 * Delivery: with no destination ever configured (no `outbox_cursors` row) an event is delivered
 * when it is appended (nobody waits for it); otherwise when every delivery of it was answered 2xx,
 * at the last of those answers. An event beyond some destination's cursor, or with a pending or
 * dead delivery, is undelivered and holds the whole case, as an open request does.
 *
 * Locking: SQLite's `BEGIN IMMEDIATE` serialises the pass with every writer. On Postgres a request
 * opened by another worker after the pass read the case's facts only needs the lineage, which no
 * redactor touches.
 */
import { type RetentionHold, type RetentionKind, type RetentionPolicy, retentionVerdict, type RetentionAsk, CaseNotFound } from "@recert/core"
import { type Kysely, sql } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { toIso } from "../rows.js"
import { Abort } from "../run.js"
import type { CaseFacts, Piece, Redactor } from "../retention/redactor.js"
import { REDACTORS } from "../retention/redactors.js"

export type RedactScope =
  | { readonly caseId: string }
  | { readonly before: number }
  | { readonly policy: RetentionPolicy }

export interface RedactOptions {
  readonly scope: RedactScope
  /** Recorded with every piece removed. */
  readonly reason: string
  readonly dryRun: boolean
}

export interface RedactedPiece {
  readonly caseId: string
  readonly target: string
  readonly kind: RetentionKind
  readonly ref: string
  /** Rows touched; null in a dry run. */
  readonly rows: number | null
}

export interface HeldPiece {
  readonly caseId: string
  readonly target: string
  readonly ref: string
  readonly holds: ReadonlyArray<RetentionHold>
}

/** What a pass removed (or, dry, would remove), what was held, and how many pieces still wait for their clock. */
export interface RedactionReport {
  readonly at: string
  readonly reason: string
  readonly dryRun: boolean
  readonly cases: number
  readonly redacted: ReadonlyArray<RedactedPiece>
  readonly held: ReadonlyArray<HeldPiece>
  readonly waiting: number
}

/** A redaction the store recorded (`redactionsForCase`). */
export interface RedactionRecord {
  readonly caseId: string
  readonly target: string
  readonly kind: RetentionKind
  readonly ref: string
  readonly at: string
  readonly reason: string
  readonly rows: number
}

const PAGE = 500
const VERIFICATION_EVENTS = new Set(["case.renewed", "case.review-needed"])

const caseFacts = async (trx: Kysely<Database>, caseId: string): Promise<CaseFacts> => {
  const kase = await trx.selectFrom("cases").select("closed_at").where("id", "=", caseId).executeTakeFirst()
  const open = await trx.selectFrom("verification_queue").select((eb) => eb.fn.countAll<number>().as("n"))
    .where("case_id", "=", caseId).where("resolved_at", "is", null).executeTakeFirstOrThrow()
  const cursors = await trx.selectFrom("outbox_cursors").select((eb) => [eb.fn.min<number>("last_seq").as("min"), eb.fn.countAll<number>().as("n")]).executeTakeFirstOrThrow()
  const events = await trx.selectFrom("outbox_events").select(["seq", "id", "type", "occurred_at", "body"]).where("case_id", "=", caseId).orderBy("seq").execute()
  const deliveries = await trx.selectFrom("outbox_deliveries").select(["event_id", "status", "delivered_at"]).where("case_id", "=", caseId).execute()
  const verifications = await trx.selectFrom("verifications").select(["order_id", "verified_at"]).where("case_id", "=", caseId)
    .orderBy("verified_at").orderBy("order_id").execute()
  const eventDeliveredAt = new Map<string, number>()
  const verificationDeliveredAt = new Map<string, number>()
  const withEvent = new Set<string>()
  let undelivered = 0
  for (const e of events) {
    const orderId = VERIFICATION_EVENTS.has(e.type) ? (JSON.parse(e.body) as { payload?: { orderId?: string } }).payload?.orderId : undefined
    if (orderId !== undefined) withEvent.add(orderId)
    const mine = deliveries.filter((x) => x.event_id === e.id)
    const fannedOut = Number(cursors.n) === 0 || Number(e.seq) <= Number(cursors.min)
    if (!fannedOut || mine.some((x) => x.status !== "delivered")) {
      undelivered += 1
      continue
    }
    const at = mine.reduce((m, x) => Math.max(m, Number(x.delivered_at ?? 0)), mine.length === 0 ? Number(e.occurred_at) : 0)
    eventDeliveredAt.set(e.id, at)
    if (orderId !== undefined) verificationDeliveredAt.set(orderId, at)
  }
  // A verification saved before the outbox existed has no event: it was delivered when stored.
  for (const v of verifications) if (!withEvent.has(v.order_id)) verificationDeliveredAt.set(v.order_id, Number(v.verified_at))
  return {
    caseId, closedAt: kase?.closed_at == null ? null : Number(kase.closed_at), openRequests: Number(open.n), undeliveredEvents: undelivered,
    eventDeliveredAt, verificationDeliveredAt, latestOrderId: verifications.at(-1)?.order_id ?? null
  }
}

const holdsOf = (redactor: Redactor, facts: CaseFacts, piece: Piece): Array<RetentionHold> => redactor.heldBy.filter((h) =>
  h === "open-request" ? facts.openRequests > 0
    : h === "undelivered-event" ? facts.undeliveredEvents > 0
    : facts.closedAt === null && piece.latest === true)

const askOf = (scope: RedactScope, now: number): RetentionAsk =>
  "caseId" in scope ? { by: "case" } : "before" in scope ? { by: "before", before: scope.before } : { by: "policy", policy: scope.policy, now }

interface CaseOutcome {
  readonly redacted: Array<RedactedPiece>
  readonly held: Array<HeldPiece>
  waiting: number
}

const redactCase = async (trx: Kysely<Database>, caseId: string, o: RedactOptions, now: number): Promise<CaseOutcome> => {
  const facts = await caseFacts(trx, caseId)
  const ask = askOf(o.scope, now)
  const out: CaseOutcome = { redacted: [], held: [], waiting: 0 }
  const stamp = { at: toIso(now), reason: o.reason }
  for (const redactor of REDACTORS) {
    const due: Array<string> = []
    for (const piece of await redactor.pieces(trx, facts)) {
      const verdict = retentionVerdict({ kind: redactor.kind, deliveredAt: piece.deliveredAt, closedAt: facts.closedAt, holds: holdsOf(redactor, facts, piece) }, ask)
      if (verdict.state === "due") due.push(piece.ref)
      else if (verdict.state === "held") out.held.push({ caseId, target: redactor.target, ref: piece.ref, holds: verdict.holds })
      else out.waiting += 1
    }
    if (due.length === 0) continue
    const rows = o.dryRun ? null : await redactor.redact(trx, caseId, due, stamp)
    for (const ref of due) {
      const n = rows === null ? null : rows.get(ref) ?? 0
      out.redacted.push({ caseId, target: redactor.target, kind: redactor.kind, ref, rows: n })
      if (n !== null) {
        await trx.insertInto("redactions").values({ case_id: caseId, target: redactor.target, ref, kind: redactor.kind, at: now, reason: o.reason, rows: n })
          .onConflict((oc) => oc.columns(["case_id", "target", "ref"]).doNothing()).execute()
      }
    }
  }
  return out
}

/** The next page of case ids with a piece not redacted yet by some redactor (the union of their pages, in id order). */
const pendingPage = async (db: Kysely<Database>, after: string | null): Promise<Array<string>> => {
  const all = new Set<string>()
  for (const r of REDACTORS) for (const id of await r.pendingCases(db, after, PAGE)) all.add(id)
  return [...all].sort().slice(0, PAGE)
}

/** Runs the pass at `now`; `CaseNotFound` for a `scope.caseId` the store does not have. */
export const redact = async (db: Kysely<Database>, d: DialectAdapter, o: RedactOptions, now: number): Promise<RedactionReport> => {
  const report = { at: toIso(now), reason: o.reason, dryRun: o.dryRun, cases: 0, redacted: [] as Array<RedactedPiece>, held: [] as Array<HeldPiece>, waiting: 0 }
  const one = async (caseId: string) => {
    // A dry run writes nothing: a read transaction, so it runs on a store opened read-only (issue 14).
    const r = o.dryRun ? await db.transaction().execute((trx) => redactCase(trx, caseId, o, now)) : await d.writeTransaction(db, (trx) => redactCase(trx, caseId, o, now))
    report.cases += 1
    report.redacted.push(...r.redacted)
    report.held.push(...r.held)
    report.waiting += r.waiting
  }
  if ("caseId" in o.scope) {
    const caseId = o.scope.caseId
    const known = await db.selectFrom("cases").select("id").where("id", "=", caseId).executeTakeFirst()
    if (known === undefined) throw new Abort(new CaseNotFound({ caseId }))
    await one(caseId)
    await dropOldPages(db, d, report)
    return report
  }
  let after: string | null = null
  for (;;) {
    const page = await pendingPage(db, after)
    for (const caseId of page) await one(caseId)
    if (page.length < PAGE) break
    after = page[page.length - 1]!
  }
  await dropOldPages(db, d, report)
  return report
}

/**
 * SQLite keeps a changed page's old version in the WAL until a checkpoint: after a pass that
 * removed something, a truncating checkpoint writes the new pages to the file (where
 * `secure_delete` zeroes the freed content) and empties the WAL. Postgres keeps dead row versions
 * until VACUUM (autovacuum, or by hand after a large redaction: README, Security).
 */
const dropOldPages = async (db: Kysely<Database>, d: DialectAdapter, report: { readonly dryRun: boolean; readonly redacted: ReadonlyArray<unknown> }) => {
  if (d.name === "sqlite" && !report.dryRun && report.redacted.length > 0) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
}

/** The case's redactions, oldest first. */
export const redactionsForCase = async (db: Kysely<Database>, caseId: string): Promise<Array<RedactionRecord>> =>
  (await db.selectFrom("redactions").selectAll().where("case_id", "=", caseId).orderBy("at").orderBy("target").orderBy("ref").execute())
    .map((r) => ({ caseId: r.case_id, target: r.target, kind: r.kind as RetentionKind, ref: r.ref, at: toIso(r.at), reason: r.reason, rows: Number(r.rows) }))
