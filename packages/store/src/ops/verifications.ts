/**
 * Verifications: save one immutably (first write per (case, order) wins), read a case's in order,
 * and list every case's latest one for `recert results`. A save is one write transaction: the
 * verification row with `ON CONFLICT DO NOTHING` on its primary key, then, only if that row was
 * inserted, its employers and statements; so a repeated save changes nothing, and a race between
 * two savers leaves exactly one complete record (the loser's insert is a no-op, or on Postgres
 * waits for the winner's commit and then finds the key taken).
 */
import { type Baseline, type LatestVerification, type VerificationRecord, type VerificationVia, verificationStoredEvent } from "@recert/core"
import type { Kysely } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { toIso, toMs } from "../rows.js"
import { insertChunked } from "./insert-bulk.js"
import { appendOutboxEvent } from "./outbox.js"
import { verificationFromRows, verificationToRows } from "./verification-rows.js"

/** Saves `v` at `now`, with its outbox event (`case.renewed` or `case.review-needed`) in the same transaction. */
export const saveVerification = (db: Kysely<Database>, d: DialectAdapter, v: VerificationRecord, now: number): Promise<boolean> => {
  const rows = verificationToRows(v)
  return d.writeTransaction(db, async (trx) => {
    const r = await trx.insertInto("verifications").values(rows.verification)
      .onConflict((oc) => oc.columns(["case_id", "order_id"]).doNothing()).executeTakeFirst()
    if ((r.numInsertedOrUpdatedRows ?? 0n) === 0n) return false
    await insertChunked(trx, d, "verification_employers", rows.employers)
    await insertChunked(trx, d, "verification_statements", rows.statements)
    await appendOutboxEvent(trx, verificationStoredEvent(v), now)
    return true
  })
}

/** The case's verifications, oldest first (`verified_at`, then order id); `latest` reads only the newest. */
export const listVerifications = async (db: Kysely<Database>, caseId: string, latest = false): Promise<Array<VerificationRecord>> => {
  let q = db.selectFrom("verifications").selectAll().where("case_id", "=", caseId)
  q = latest ? q.orderBy("verified_at", "desc").orderBy("order_id", "desc").limit(1) : q.orderBy("verified_at").orderBy("order_id")
  const heads = await q.execute()
  if (heads.length === 0) return []
  const orders = heads.map((h) => h.order_id)
  const [employers, statements] = await Promise.all([
    db.selectFrom("verification_employers").selectAll().where("case_id", "=", caseId).where("order_id", "in", orders)
      .orderBy("order_id").orderBy("position").execute(),
    db.selectFrom("verification_statements").selectAll().where("case_id", "=", caseId).where("order_id", "in", orders)
      .orderBy("order_id").orderBy("employer_position").orderBy("position").execute()
  ])
  return heads.map((h) => verificationFromRows(h,
    employers.filter((e) => e.order_id === h.order_id), statements.filter((s) => s.order_id === h.order_id)))
}

export interface LatestVerificationsOptions {
  /** Only cases whose latest verification is `review`. */
  readonly review?: boolean
  /** Only cases whose latest verification was made at or after this instant. */
  readonly since?: string
  /** Page size. */
  readonly limit: number
  /** Keyset cursor: the last case id of the previous page. */
  readonly afterCaseId?: string
}

/**
 * Every case's latest verification (no later one for the case: greater `verified_at`, or equal
 * and a greater order id), filtered in SQL, in case-id order, a page at a time. The "no later
 * one" probe is an index range scan on `verifications_case_at`. The filters apply to the latest
 * verification itself: a case reviewed once and renewed since is not `--review`.
 */
export const latestVerifications = async (db: Kysely<Database>, o: LatestVerificationsOptions): Promise<Array<LatestVerification>> => {
  let q = db.selectFrom("verifications as v").select(["v.case_id", "v.order_id", "v.via", "v.verified_at", "v.class", "v.reason_codes"])
    .where((outer) => outer.not(outer.exists(outer.selectFrom("verifications as w").select("w.order_id")
      .whereRef("w.case_id", "=", "v.case_id")
      .where((eb) => eb.or([
        eb("w.verified_at", ">", eb.ref("v.verified_at")),
        eb.and([eb("w.verified_at", "=", eb.ref("v.verified_at")), eb("w.order_id", ">", eb.ref("v.order_id"))])
      ])))))
  if (o.review === true) q = q.where("v.class", "=", "review")
  if (o.since !== undefined) q = q.where("v.verified_at", ">=", toMs(o.since))
  if (o.afterCaseId !== undefined) q = q.where("v.case_id", ">", o.afterCaseId)
  const rows = await q.orderBy("v.case_id").limit(o.limit).execute()
  return rows.map((r) => ({
    caseId: r.case_id, orderId: r.order_id, via: r.via as VerificationVia, verifiedAt: toIso(r.verified_at),
    class: r.class as LatestVerification["class"], reasonCodes: JSON.parse(r.reason_codes) as Array<string>
  }))
}

/** The baseline the case import supplied, or null (none, or no such case). */
export const importedBaseline = async (db: Kysely<Database>, caseId: string): Promise<Baseline | null> => {
  const row = await db.selectFrom("cases").select("baseline").where("id", "=", caseId).executeTakeFirst()
  return row?.baseline == null ? null : JSON.parse(row.baseline) as Baseline
}
