/**
 * Verification requests' lifecycle (issue 16, migration `0010_request_lifecycle`): one step of a
 * request (core's `applyRequestTransition`) persisted with its transition row and its outbox event
 * in the caller's transaction, `transitionRequest` (the port's operation, its own transaction),
 * and the reads (`dueRequests`, `caseRequests`).
 *
 * Locking: `transitionRequest` is one write transaction (SQLite `BEGIN IMMEDIATE`; Postgres locks
 * the request row `FOR UPDATE`), and the UPDATE is also guarded by the state and reminder count it
 * read, so two sweepers never both remind or both expire a request: the second finds it moved and
 * gets `unchanged` (a reminder no longer due) or `IllegalRequestTransition` (a final state).
 */
import {
  applyRequestTransition, escalatedInCycle, type ExpiryResult, IllegalRequestTransition, planExpiry, type RequestLifecycle, type RequestPolicy, RequestNotFound, type RequestState,
  type RequestStep, type RequestTransition, requestTransitionEvent, resolutionOfState, type VerificationIntent
} from "@recert/core"
import { type Kysely, sql } from "kysely"
import type { Database, VerificationQueueRow } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { REQUEST_OPEN } from "../migrations/0010_request_lifecycle.js"
import { toIso, toIsoOrNull, verificationFromRow } from "../rows.js"
import { Abort } from "../run.js"
import { appendOutboxEvent } from "./outbox.js"

const num = (v: number | string | null): number | null => v === null ? null : Number(v)

/** Records a request just inserted (with `lifecycle` 'created'): its first transition. */
export const recordCreated = (trx: Kysely<Database>, row: Pick<VerificationQueueRow, "id" | "case_id">, at: number, reason: string) =>
  trx.insertInto("verification_request_transitions").values({ request_id: Number(row.id), case_id: row.case_id, from_state: null, to_state: "created", at, reason }).execute()

export interface StepOptions {
  /** Write the transition's outbox event (false where the caller writes the change's event itself). */
  readonly emit: boolean
  readonly notify: boolean
}

/** Applies `to` to `row` at `at` inside `trx`: the lifecycle columns, the transition row and (with `emit`) the event. */
export const stepRequest = async (
  trx: Kysely<Database>, row: VerificationQueueRow, to: RequestState, reason: string, at: number, policy: RequestPolicy, o: StepOptions
): Promise<RequestStep | IllegalRequestTransition> => {
  const from = (row.lifecycle ?? "created") as RequestState
  const step = applyRequestTransition({
    id: Number(row.id), kind: row.kind as RequestLifecycle["kind"], createdAt: Number(row.created_at), state: from,
    expiresAt: num(row.expires_at), reminders: Number(row.reminders), lastRemindedAt: num(row.last_reminded_at), nextDueAt: num(row.next_due_at)
  }, to, at, policy)
  if (step._tag !== "applied") return step
  const f = step.fields
  const resolution = resolutionOfState(to)
  const updated = await trx.updateTable("verification_queue").set({
    lifecycle: f.state, expires_at: f.expiresAt, reminders: f.reminders, last_reminded_at: f.lastRemindedAt, next_due_at: f.nextDueAt,
    ...(resolution === null ? {} : { resolved_at: row.resolved_at ?? at, resolution: row.resolution ?? resolution })
  }).where("id", "=", row.id).where("reminders", "=", row.reminders)
    .where((eb) => row.lifecycle === null ? eb("lifecycle", "is", null) : eb("lifecycle", "=", row.lifecycle))
    .returningAll().executeTakeFirst()
  // Moved by someone else since it was read (only possible outside a locking transaction): nothing written.
  if (updated === undefined) return { _tag: "unchanged" }
  await trx.insertInto("verification_request_transitions").values({ request_id: Number(row.id), case_id: row.case_id, from_state: from, to_state: to, at, reason }).execute()
  if (o.emit) {
    const event = requestTransitionEvent(verificationFromRow(updated), to, reason, toIso(at), { reminders: f.reminders, expiresAt: toIsoOrNull(f.expiresAt) }, o.notify)
    if (event !== null) await appendOutboxEvent(trx, event, at)
  }
  return step
}

const transitionsOf = async (db: Kysely<Database>, ids: ReadonlyArray<number>): Promise<Map<number, Array<RequestTransition>>> => {
  const byId = new Map<number, Array<RequestTransition>>(ids.map((id) => [id, []]))
  if (ids.length === 0) return byId
  const rows = await db.selectFrom("verification_request_transitions").selectAll().where("request_id", "in", [...ids]).orderBy("id").execute()
  for (const t of rows) {
    byId.get(Number(t.request_id))?.push({ requestId: Number(t.request_id), from: t.from_state as RequestState | null, to: t.to_state as RequestState, at: toIso(t.at), reason: t.reason })
  }
  return byId
}

const lifecyclesOf = async (db: Kysely<Database>, rows: ReadonlyArray<VerificationQueueRow>): Promise<Array<RequestLifecycle>> => {
  const transitions = await transitionsOf(db, rows.map((r) => Number(r.id)))
  return rows.map((r) => ({
    id: Number(r.id), caseId: r.case_id, kind: r.kind as RequestLifecycle["kind"], connectionIds: JSON.parse(r.connection_ids) as Array<string>,
    createdAt: toIso(r.created_at), state: (r.lifecycle ?? "created") as RequestState, expiresAt: toIsoOrNull(r.expires_at),
    reminders: Number(r.reminders), lastRemindedAt: toIsoOrNull(r.last_reminded_at), nextDueAt: toIsoOrNull(r.next_due_at),
    transitions: transitions.get(Number(r.id)) ?? []
  }))
}

export const transitionRequest = (
  db: Kysely<Database>, d: DialectAdapter, id: number, to: RequestState, reason: string, at: number, policy: RequestPolicy, notify: boolean
) =>
  d.writeTransaction(db, async (trx) => {
    let q = trx.selectFrom("verification_queue").selectAll().where("id", "=", id)
    if (d.rowLocks) q = q.forUpdate()
    const row = await q.executeTakeFirst()
    if (row === undefined) throw new Abort(new RequestNotFound({ requestId: id }))
    const step = await stepRequest(trx, row, to, reason, at, policy, { emit: true, notify })
    if (step instanceof IllegalRequestTransition) throw new Abort(step)
    const fresh = await trx.selectFrom("verification_queue").selectAll().where("id", "=", id).executeTakeFirstOrThrow()
    const [request] = await lifecyclesOf(trx, [fresh])
    return { _tag: step._tag, request: request! }
  })

/** Open requests due at `now`, earliest due first; reads the partial index `verification_queue_due`. */
export const dueRequests = async (db: Kysely<Database>, now: number, limit: number): Promise<Array<RequestLifecycle>> => {
  const rows = await db.selectFrom("verification_queue").selectAll()
    .where(sql.raw<boolean>(REQUEST_OPEN)).where("next_due_at", "<=", now)
    .orderBy("next_due_at").orderBy("id").limit(limit).execute()
  return lifecyclesOf(db, rows)
}

export const caseRequests = async (db: Kysely<Database>, caseId: string): Promise<Array<RequestLifecycle>> =>
  lifecyclesOf(db, await db.selectFrom("verification_queue").selectAll().where("case_id", "=", caseId).orderBy("created_at").orderBy("id").execute())

/**
 * `expireRequest`: one write transaction. Postgres locks the case row first, so two of a case's
 * requests expiring at once are decided one after the other (the second counts the first's
 * expiry toward the replacements used); SQLite's write lock does the same.
 */
export const expireRequest = (db: Kysely<Database>, d: DialectAdapter, id: number, now: number, policy: RequestPolicy): Promise<ExpiryResult> =>
  d.writeTransaction(db, async (trx) => {
    const head = await trx.selectFrom("verification_queue").select("case_id").where("id", "=", id).executeTakeFirst()
    if (head === undefined) throw new Abort(new RequestNotFound({ requestId: id }))
    let c = trx.selectFrom("cases").select("last_verified_at").where("id", "=", head.case_id)
    if (d.rowLocks) c = c.forUpdate()
    const kase = await c.executeTakeFirst()
    const rows = await trx.selectFrom("verification_queue").selectAll().where("case_id", "=", head.case_id).orderBy("id").execute()
    const all = await lifecyclesOf(trx, rows)
    const row = rows.find((r) => Number(r.id) === id)!
    const plan = planExpiry(all.find((r) => r.id === id)!, all, toIsoOrNull(kase?.last_verified_at ?? null), now, policy)
    if (!("to" in plan)) return plan
    const step = await stepRequest(trx, row, plan.to, plan.reason, now, policy, { emit: true, notify: false })
    if (step instanceof IllegalRequestTransition) throw step
    if (step._tag === "unchanged") return { _tag: "final", state: (row.lifecycle ?? "created") as RequestState }
    return plan.to === "expired" ? { _tag: "expired", replace: plan.replace, reason: plan.reason } : { _tag: "escalated", reason: plan.reason }
  })

/**
 * `escalateWithoutAsking`: one write transaction, the case row locked first (as `expireRequest`),
 * so two workers finding the same case without a usable contact escalate it once.
 */
export const escalateWithoutAsking = (db: Kysely<Database>, d: DialectAdapter, r: VerificationIntent, why: string, now: number, policy: RequestPolicy): Promise<boolean> =>
  d.writeTransaction(db, async (trx) => {
    let c = trx.selectFrom("cases").select("last_verified_at").where("id", "=", r.caseId)
    if (d.rowLocks) c = c.forUpdate()
    const kase = await c.executeTakeFirst()
    if (escalatedInCycle(await caseRequests(trx, r.caseId), toIsoOrNull(kase?.last_verified_at ?? null))) return false
    const row = await trx.insertInto("verification_queue").values({
      case_id: r.caseId, kind: r.kind, connection_ids: JSON.stringify(r.connectionIds), reason: r.reason, detail: r.detail,
      bridge_token: null, share_url: null, order_id: null, created_at: Date.parse(r.createdAt), resolved_at: null, attempt_id: null,
      request_key: null, state: null, sent_at: null, lease_until: null, claim: null, lifecycle: "created"
    }).returningAll().executeTakeFirstOrThrow()
    await recordCreated(trx, row, now, "no request made: the client cannot be reached")
    const step = await stepRequest(trx, row, "escalated", why, now, policy, { emit: true, notify: false })
    if (step instanceof IllegalRequestTransition) throw step
    return true
  })
