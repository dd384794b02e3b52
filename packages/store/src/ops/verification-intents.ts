/**
 * Verification requests stored as intents before Truv is asked (issue 15/16, migration
 * `0008_verification_intents`). Truv has no idempotency key (truv-reports-notes §4), so a Bridge
 * token or a new order asked twice is created twice: the scheduler stores the intent, with our own
 * key, first; calls Truv under a claim (a lease); records the answer. Whoever asks for the case
 * next completes an intent its claimant left (died, or an answer lost): it looks the order up by
 * its key rather than asking again.
 *
 * Locking: `claimVerifications` is one write transaction (SQLite `BEGIN IMMEDIATE`; Postgres
 * locks the case row `FOR UPDATE` first), so two workers asking for one case run one after the
 * other and the second sees the first's intents. The claim operations are single fenced UPDATEs.
 */
import { type ClaimedVerification, IllegalRequestTransition, type RequestPolicy, requestQueuedEvent, type VerificationIntent, type VerificationSettlement, type VerificationsSeen } from "@recert/core"
import type { Kysely } from "kysely"
import { randomBytes, randomUUID } from "node:crypto"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { resolvingLostReply } from "../lost-reply.js"
import { toIso, toMs, verificationFromRow } from "../rows.js"
import { appendOutboxEvent } from "./outbox.js"
import { recordCreated, stepRequest } from "./request-lifecycle.js"
import { openForCase } from "./verification-queue.js"

export interface ClaimArgs {
  readonly caseId: string
  readonly attemptId: string | null
  readonly leaseMs: number
  readonly plan: (seen: VerificationsSeen) => ReadonlyArray<VerificationIntent>
  readonly now: number
}

/** Our own key of a request: `rq-` and 24 hex digits (96 random bits). */
export const newRequestKey = (): string => `rq-${randomBytes(12).toString("hex")}`

export const claimVerifications = (db: Kysely<Database>, d: DialectAdapter, a: ClaimArgs) =>
  d.writeTransaction(db, async (trx) => {
    let kase = trx.selectFrom("cases").select("last_verified_at").where("id", "=", a.caseId)
    if (d.rowLocks) kase = kase.forUpdate()
    const verified = (await kase.executeTakeFirst())?.last_verified_at ?? null
    const open = (await openForCase(trx, a.caseId).execute()).map(verificationFromRow)
    const forAttempt = a.attemptId === null
      ? []
      : (await trx.selectFrom("verification_queue").selectAll().where("attempt_id", "=", a.attemptId).orderBy("id").execute()).map(verificationFromRow)
    const seen: VerificationsSeen = { open, forAttempt, caseVerifiedAt: verified === null ? null : toIso(Number(verified)) }
    const claimed: Array<ClaimedVerification> = []
    for (const intent of a.plan(seen)) {
      const claim = randomUUID()
      const row = await trx.insertInto("verification_queue").values({
        case_id: intent.caseId, kind: intent.kind, connection_ids: JSON.stringify(intent.connectionIds), reason: intent.reason, detail: intent.detail,
        bridge_token: null, share_url: null, order_id: null, created_at: toMs(intent.createdAt), resolved_at: null, attempt_id: a.attemptId,
        request_key: newRequestKey(), state: "intent", sent_at: null, lease_until: a.now + a.leaseMs, claim, lifecycle: "created"
      }).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst()
      if (row === undefined) continue
      await recordCreated(trx, row, a.now, "intent stored before asking Truv")
      claimed.push({ request: verificationFromRow(row), claim })
    }
    return { seen, claimed }
  })

/** Claims an open intent whose lease expired; null when it is settled, resolved, gone, or still leased. */
export const takeOverVerification = async (db: Kysely<Database>, id: number, leaseMs: number, now: number): Promise<ClaimedVerification | null> => {
  const claim = randomUUID()
  const row = await db.updateTable("verification_queue").set({ claim, lease_until: now + leaseMs })
    .where("id", "=", id).where("state", "=", "intent").where("resolved_at", "is", null)
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", now)]))
    .returningAll().executeTakeFirst()
  return row === undefined ? null : { request: verificationFromRow(row), claim }
}

/**
 * The claimant is about to call Truv: `sent_at` = now, lease renewed; false when the claim was
 * taken over. The request's life restarts here (`created_at` = now): its link is made now, so its
 * expiry and reminders count from now, as Truv's do (an intent taken over and sent a day after it
 * was stored would otherwise expire here a day before Truv's order, and be replaced while the
 * client still held a live link: issue 16, the client chaos run).
 */
export const markVerificationSent = async (db: Kysely<Database>, id: number, claim: string, leaseMs: number, now: number): Promise<boolean> => {
  const r = await db.updateTable("verification_queue").set({ sent_at: now, created_at: now, lease_until: now + leaseMs })
    .where("id", "=", id).where("state", "=", "intent").where("claim", "=", claim).executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/**
 * Records what became of an intent (see the port's `settleVerification`). `created` and `unknown`
 * restart the request's life at Truv's answer (`created_at` = now, on Truv's time: the scheduler's
 * clock follows Truv's `Date`): Truv made the link by then, so it never expires here before there.
 */
/** The intent's lifecycle step to `sent` (issue 16), in the settlement's transaction; its event is the settlement's own. */
const markSent = async (trx: Kysely<Database>, row: Parameters<typeof stepRequest>[1], reason: string, now: number, policy: RequestPolicy) => {
  const step = await stepRequest(trx, row, "sent", reason, now, policy, { emit: false, notify: false })
  if (step instanceof IllegalRequestTransition) throw step
}

export const settleVerification = async (db: Kysely<Database>, d: DialectAdapter, id: number, s: VerificationSettlement, now: number, policy: RequestPolicy): Promise<boolean> => {
  const intent = db.updateTable("verification_queue").where("id", "=", id).where("state", "=", "intent")
  switch (s.outcome) {
    case "created":
      // The request now exists at Truv: its `case.client-action-needed` event is written in the
      // same transaction (issue 17: no change without its event). A commit whose reply was lost is
      // ours when the row holds the token or order Truv gave this call (`lost-reply.ts`).
      return resolvingLostReply((sent) => {
        sent()
        return d.writeTransaction(db, async (trx) => {
          const row = await trx.updateTable("verification_queue").where("id", "=", id).where("state", "=", "intent")
            .set({ state: "created", created_at: now, lease_until: null, bridge_token: s.bridgeToken, share_url: s.shareUrl, order_id: s.orderId })
            .returningAll().executeTakeFirst()
          if (row === undefined) return false
          await appendOutboxEvent(trx, requestQueuedEvent(verificationFromRow(row), id), now)
          await markSent(trx, row, row.kind === "new-order" ? "Truv created the order" : "Truv created the Bridge token", now, policy)
          return true
        })
      }, async () => {
        const row = await db.selectFrom("verification_queue").select(["state", "bridge_token", "share_url", "order_id"]).where("id", "=", id).executeTakeFirst()
        const ours = row !== undefined && row.state === "created" && row.bridge_token === s.bridgeToken && row.share_url === s.shareUrl && row.order_id === s.orderId
        return ours ? true : undefined
      })
    case "unknown":
      return d.writeTransaction(db, async (trx) => {
        const row = await trx.updateTable("verification_queue").where("id", "=", id).where("state", "=", "intent")
          .set({ state: "unknown", created_at: now, lease_until: null }).returningAll().executeTakeFirst()
        if (row === undefined) return false
        await markSent(trx, row, "Truv's answer was lost: the token may exist", now, policy)
        return true
      })
    case "released": {
      const r = await intent.set({ lease_until: now }).where("claim", "=", s.claim).executeTakeFirst()
      return r.numUpdatedRows > 0n
    }
    case "forgotten":
      return d.writeTransaction(db, async (trx) => {
        const r = await trx.deleteFrom("verification_queue").where("id", "=", id).where("state", "=", "intent").where("claim", "=", s.claim).executeTakeFirst()
        if (r.numDeletedRows === 0n) return false
        await trx.deleteFrom("verification_request_transitions").where("request_id", "=", id).execute()
        return true
      })
    default:
      return s satisfies never
  }
}

