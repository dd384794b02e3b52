/**
 * What the deliverer owes each destination, graphile-worker style (ops/jobs.ts): fan the outbox
 * out into one delivery per (destination, event), lease runnable ones, and finish them fenced to
 * the lease holder. The store only persists: the retry schedule, `Retry-After` and when to give
 * up are the deliverer's (apps/scheduler `delivery/`), passed in as `retryAt` (null: dead letter).
 *
 * Order per (case, destination): a delivery is claimable only when no earlier delivery of the
 * same case to the same destination is still `pending` (leased or not) or `dead`, so a later
 * event waits for the earlier one, two workers never deliver two events of one case at once, and
 * a dead letter holds its case's later events until it is redelivered (`redeliver`).
 *
 * Locking, claim: one `UPDATE ... WHERE (destination, event_seq) IN (SELECT ... LIMIT n)`;
 * Postgres adds `FOR UPDATE SKIP LOCKED`, SQLite runs it inside `BEGIN IMMEDIATE`. The ordering
 * probe reads the partial index `outbox_deliveries_open`. Fan-out: per destination, the cursor row
 * is read and moved inside one write transaction (Postgres: `FOR UPDATE` on it), and deliveries are
 * inserted with `ON CONFLICT DO NOTHING`, so two workers fanning out at once write each row once.
 */
import { type Kysely, sql } from "kysely"
import type { Database } from "../database.js"
import type { DialectAdapter } from "../dialect/adapter.js"
import { DELIVERY_OPEN } from "../migrations/0011_outbox.js"
import { toIso, toIsoOrNull } from "../rows.js"

/** A destination as the store needs it: its name and the event types it takes (null: all). */
export interface DeliveryTarget {
  readonly name: string
  readonly types: ReadonlyArray<string> | null
}

export interface ClaimDeliveriesOptions {
  readonly workerId: string
  readonly destination: string
  readonly limit: number
  readonly leaseMs: number
}

/** A leased delivery: which event to POST where, and the how-manyth try this is (1-based). */
export interface ClaimedDelivery {
  readonly destination: string
  readonly eventSeq: number
  readonly eventId: string
  readonly type: string
  readonly caseId: string
  readonly attempt: number
  readonly body: string
}

/** The key of a delivery (`ClaimedDelivery` is one). */
export interface DeliveryRef {
  readonly destination: string
  readonly eventSeq: number
}

/** A failed try: the answer's status (null: no answer), the error, and the next try (null: dead letter). */
export interface DeliveryFailure {
  readonly status: number | null
  readonly error: string
  readonly retryAt: number | null
}

export type DeliveryStatus = "pending" | "delivered" | "dead"

/** One event of `recert events`, with its deliveries. */
export interface OutboxEntry {
  readonly seq: number
  readonly id: string
  readonly type: string
  readonly caseId: string
  readonly orderNumber: string | null
  readonly occurredAt: string
  readonly deliveries: ReadonlyArray<{
    readonly destination: string
    readonly status: DeliveryStatus
    readonly attempts: number
    readonly nextAttemptAt: string | null
    readonly lastStatus: number | null
    readonly lastError: string | null
    readonly deliveredAt: string | null
  }>
}

export interface ListEventsOptions {
  readonly caseId?: string
  /** Only events with a dead-lettered delivery. */
  readonly failed?: boolean
  readonly limit: number
}

const FAN_OUT_PAGE = 500

/** Creates the deliveries each target owes for events appended since its cursor; returns how many. */
export const fanOutDeliveries = async (db: Kysely<Database>, d: DialectAdapter, targets: ReadonlyArray<DeliveryTarget>, now: number): Promise<number> => {
  let created = 0
  for (const target of targets) {
    for (;;) {
      const page = await d.writeTransaction(db, async (trx) => {
        await trx.insertInto("outbox_cursors").values({ destination: target.name, last_seq: 0 }).onConflict((oc) => oc.doNothing()).execute()
        let cursorQuery = trx.selectFrom("outbox_cursors").select("last_seq").where("destination", "=", target.name)
        if (d.rowLocks) cursorQuery = cursorQuery.forUpdate()
        const cursor = (await cursorQuery.executeTakeFirstOrThrow()).last_seq
        const events = await trx.selectFrom("outbox_events").select(["seq", "id", "type", "case_id"])
          .where("seq", ">", cursor).orderBy("seq").limit(FAN_OUT_PAGE).execute()
        if (events.length === 0) return { n: 0, more: false }
        const rows = events.filter((e) => target.types === null || target.types.includes(e.type)).map((e) => ({
          destination: target.name, event_seq: e.seq, event_id: e.id, case_id: e.case_id, status: "pending", attempts: 0,
          next_attempt_at: now, locked_by: null, locked_until: null, last_status: null, last_error: null, delivered_at: null,
          created_at: now, updated_at: now
        }))
        for (let i = 0; i < rows.length; i += 50) {
          await trx.insertInto("outbox_deliveries").values(rows.slice(i, i + 50)).onConflict((oc) => oc.doNothing()).execute()
        }
        await trx.updateTable("outbox_cursors").set({ last_seq: events[events.length - 1]!.seq }).where("destination", "=", target.name).execute()
        return { n: rows.length, more: events.length === FAN_OUT_PAGE }
      })
      created += page.n
      if (!page.more) break
    }
  }
  return created
}

/** Leases up to `limit` runnable deliveries of one destination, each the head of its case's chain. */
export const claimDeliveries = (db: Kysely<Database>, d: DialectAdapter, o: ClaimDeliveriesOptions, now: number): Promise<Array<ClaimedDelivery>> =>
  d.writeTransaction(db, async (trx) => {
    let runnable = trx.selectFrom("outbox_deliveries as x").select("x.event_seq")
      .where("x.destination", "=", o.destination).where("x.status", "=", "pending").where("x.next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("x.locked_until", "is", null), eb("x.locked_until", "<=", now)]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom("outbox_deliveries as y").select("y.event_seq")
        .where("y.destination", "=", o.destination).whereRef("y.case_id", "=", "x.case_id").whereRef("y.event_seq", "<", "x.event_seq")
        .where(sql.raw<boolean>(DELIVERY_OPEN.replace("status", "y.status"))))))
      .orderBy("x.next_attempt_at").orderBy("x.event_seq").limit(o.limit)
    if (d.skipLocked) runnable = runnable.forUpdate().skipLocked()
    const claimed = await trx.updateTable("outbox_deliveries")
      .set((eb) => ({ locked_by: o.workerId, locked_until: now + o.leaseMs, attempts: eb("attempts", "+", 1), updated_at: now }))
      .where("destination", "=", o.destination).where("event_seq", "in", runnable)
      .returning(["event_seq", "attempts"]).execute()
    if (claimed.length === 0) return []
    const events = await trx.selectFrom("outbox_events").select(["seq", "id", "type", "case_id", "body"])
      .where("seq", "in", claimed.map((c) => c.event_seq)).orderBy("seq").execute()
    const attempts = new Map(claimed.map((c) => [Number(c.event_seq), c.attempts]))
    return events.map((e) => ({
      destination: o.destination, eventSeq: Number(e.seq), eventId: e.id, type: e.type, caseId: e.case_id,
      attempt: attempts.get(Number(e.seq)) ?? 1, body: e.body
    }))
  })

const fence = (db: Kysely<Database>, ref: DeliveryRef, workerId: string) =>
  db.updateTable("outbox_deliveries").where("destination", "=", ref.destination).where("event_seq", "=", ref.eventSeq)
    .where("locked_by", "=", workerId).where("status", "=", "pending")

/** Marks a leased delivery delivered; false (nothing written) when `workerId` no longer holds it. */
export const completeDelivery = async (db: Kysely<Database>, ref: DeliveryRef, workerId: string, status: number, now: number): Promise<boolean> => {
  const r = await fence(db, ref, workerId).set({
    status: "delivered", delivered_at: now, last_status: status, last_error: null, locked_by: null, locked_until: null, updated_at: now
  }).executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Records a failed try: pending again at `retryAt`, or `dead` when it is null. False when the lease is not held. */
export const failDelivery = async (db: Kysely<Database>, ref: DeliveryRef, workerId: string, f: DeliveryFailure, now: number): Promise<boolean> => {
  const r = await fence(db, ref, workerId).set({
    status: f.retryAt === null ? "dead" : "pending", next_attempt_at: f.retryAt ?? now, last_status: f.status,
    last_error: f.error.slice(0, 1000), locked_by: null, locked_until: null, updated_at: now
  }).executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/** Gives a leased delivery back without counting the try (graceful shutdown). */
export const releaseDelivery = async (db: Kysely<Database>, ref: DeliveryRef, workerId: string, now: number): Promise<boolean> => {
  const r = await fence(db, ref, workerId).set((eb) => ({ locked_by: null, locked_until: null, attempts: eb("attempts", "-", 1), updated_at: now }))
    .executeTakeFirst()
  return r.numUpdatedRows > 0n
}

/**
 * Makes deliveries owed again from now, with a fresh schedule: the event `eventId`'s (every
 * destination, whatever their status), or with `failed` every dead letter. Returns how many.
 */
export const redeliver = async (db: Kysely<Database>, o: { readonly eventId?: string; readonly failed?: boolean }, now: number): Promise<number> => {
  let q = db.updateTable("outbox_deliveries").set({ status: "pending", attempts: 0, next_attempt_at: now, locked_by: null, locked_until: null, updated_at: now })
  if (o.eventId !== undefined) q = q.where("event_id", "=", o.eventId)
  if (o.failed === true) q = q.where("status", "=", "dead")
  const r = await q.executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/** Events newest first with their deliveries (`recert events`). */
export const listEvents = async (db: Kysely<Database>, o: ListEventsOptions): Promise<Array<OutboxEntry>> => {
  let q = db.selectFrom("outbox_events").select(["seq", "id", "type", "case_id", "order_number", "occurred_at"])
  if (o.caseId !== undefined) q = q.where("case_id", "=", o.caseId)
  if (o.failed === true) {
    q = q.where("id", "in", db.selectFrom("outbox_deliveries").select("event_id").where("status", "=", "dead"))
  }
  const events = await q.orderBy("seq", "desc").limit(o.limit).execute()
  if (events.length === 0) return []
  const deliveries = await db.selectFrom("outbox_deliveries").selectAll().where("event_id", "in", events.map((e) => e.id))
    .orderBy("destination").execute()
  return events.map((e) => ({
    seq: Number(e.seq), id: e.id, type: e.type, caseId: e.case_id, orderNumber: e.order_number, occurredAt: toIso(e.occurred_at),
    deliveries: deliveries.filter((x) => x.event_id === e.id).map((x) => ({
      destination: x.destination, status: x.status as DeliveryStatus, attempts: x.attempts,
      nextAttemptAt: x.status === "pending" ? toIso(x.next_attempt_at) : null, lastStatus: x.last_status, lastError: x.last_error,
      deliveredAt: toIsoOrNull(x.delivered_at)
    }))
  }))
}

/** Deliveries by destination and status (the run report, `/metrics`); `events` is the outbox's size. */
export const deliveryCounts = async (db: Kysely<Database>): Promise<{ readonly events: number; readonly byDestination: Record<string, Record<DeliveryStatus, number>> }> => {
  const events = await db.selectFrom("outbox_events").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
  const rows = await db.selectFrom("outbox_deliveries").select(["destination", "status", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy(["destination", "status"]).execute()
  const byDestination: Record<string, Record<DeliveryStatus, number>> = {}
  for (const r of rows) {
    const counts = byDestination[r.destination] ??= { pending: 0, delivered: 0, dead: 0 }
    counts[r.status as DeliveryStatus] = Number(r.n)
  }
  return { events: Number(events.n), byDestination }
}
