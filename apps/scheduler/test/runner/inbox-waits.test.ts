/**
 * Issue 15, "stored webhooks completed without being applied": the inbox gave an event 30 s to
 * find its attempt, but a dead worker's attempt is reconciled only after 60 s (`staleAfterMs`),
 * so the event was marked processed and never applied, and the outcome was later learnt some
 * other way (a generic `error` from the order: refreshed again). Now the event waits, unprocessed,
 * while an attempt that could have created its order is unreconciled, and is applied when
 * reconciliation gives the attempt its order; an event no attempt of ours can apply is completed
 * `unmatched`, with why, and counted.
 *
 * Real store (SQLite temp file: the inbox's rows are what is checked), in-memory Truv in Truv's
 * order vocabulary (a failed suborder says only `error`), every instant from `TestClock`.
 */
import { ClientReach, InMemoryTruvGateway, RenewalStore, TruvGateway } from "@recert/core"
import { generateEncryptionKey, SqlStore, Store } from "@recert/store"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, describe, expect, it } from "vitest"
import { drive, readDatabase } from "../support/drive.js"
import { drainInbox } from "../../src/runner/drain-inbox.js"
import { runPass } from "../../src/runner/pass.js"
import { RunStats } from "../../src/runner/run-stats.js"
import { sqliteDatabase, type TestDatabase } from "../support/world.js"
import { DAY, iso, kase, lineage, NOW } from "../support/one-case.js"


const failureEvent = (webhookId: string, orderId: string, linkId: string, at: number) => JSON.stringify({
  webhook_id: webhookId, event_type: "order-refresh-failed", order_id: orderId, order_number: "4138538", employer_id: "emp-1",
  link_id: linkId, product: "income", data_source: "payroll", status: "login_error", user_id: "user-1", template_id: null,
  event_created_at: iso(at), updated_at: iso(at)
})


/** The inbox rows, read from the file: [webhook id, processed, result]. */
const inboxRows = (db: TestDatabase) => readDatabase(db.url, async (raw) =>
  (await raw.selectFrom("webhook_events").select(["webhook_id", "processed_at", "result"]).orderBy("webhook_id").execute())
    .map((r) => [r.webhook_id, r.processed_at !== null, r.result] as const))

describe("an outcome event waits until something can apply it (issue 15)", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  })

  it("a worker dies after reserve and send; the login_error webhook is stored; 35 s later it still waits; reconciliation at 60 s applies it: a Bridge link, no second refresh", async () => {
    const db = sqliteDatabase()
    cleanups.push(db.cleanup)
    const layer = Layer.mergeAll(
      SqlStore.layer({ url: db.url, encryptionKey: generateEncryptionKey() }),
      InMemoryTruvGateway.layer({ lineages: [lineage], behaviours: { "link-1": "login_error" }, accessTokens: { "link-1": "token-1" }, suborderStatuses: "truv" }),
      TestClock.layer(),
      // Clients reached through Bridge (the case has no contact for a new order).
      Layer.succeed(ClientReach, "bridge")
    )
    const out = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store
      const renewal = yield* RenewalStore
      yield* store.insertBulk([{ lineage, accessTokens: { "link-1": Redacted.make("token-1") }, cases: [kase] }])
      // Worker A reserves and sends, then dies before recording the order id.
      const { attempt } = yield* renewal.reserve({ caseId: "case-1", product: null, oncePerCycle: true })
      const order = yield* (yield* TruvGateway).refreshOrder({ orderId: "ord-1", product: "income" })
      // Truv's failure webhook arrives a second later; the receiver stores it.
      yield* TestClock.setTime(NOW + 1_000)
      yield* store.insertWebhookEvent({ webhookId: "wh-1", eventType: "order-refresh-failed", body: failureEvent("wh-1", order.id, "link-1", NOW + 1_000), receivedAt: iso(NOW + 1_000), updatedAt: iso(NOW + 1_000) })
      // Worker B: a pass now (the attempt is not stale yet: nothing to reconcile), then the inbox between passes until 35 s.
      const first = new RunStats()
      yield* drive(runPass({ workerId: "w-b", concurrency: 2, runKey: "night" }, first))
      yield* TestClock.setTime(NOW + 35_000)
      yield* drive(drainInbox(first, "drain-b"))
      const at35 = {
        attempt: (yield* renewal.loadSnapshot("case-1")).ledger.map((a) => [a.id, a.status]),
        pending: (yield* store.pendingWebhookEvents(10)).map((e) => e.webhookId),
        ready: (yield* store.pendingWebhookEvents(10, { includeWaiting: false })).map((e) => e.webhookId),
        rows: yield* Effect.promise(() => inboxRows(db))
      }
      // The next pass, 61 s after the reservation: recovery reconciles the dead worker's attempt.
      yield* TestClock.setTime(NOW + 61_000)
      const second = new RunStats()
      yield* drive(runPass({ workerId: "w-b", concurrency: 2, runKey: "night" }, second))
      const snapshot = yield* renewal.loadSnapshot("case-1")
      return {
        attemptId: attempt!.id, orderId: order.id, at35,
        ledger: snapshot.ledger.map((a) => [a.id, a.status, a.orderId, a.outcomes]),
        connection: snapshot.lineage.connections.map((c) => c.lastTaskStatus),
        queue: (yield* store.listVerificationQueue({ includeResolved: true })).map((q) => [q.kind, q.reason, q.attemptId]),
        calls: (yield* InMemoryTruvGateway).calls().map((c) => c.name),
        stats: [first, second].map((s) => ({ processed: s.webhooksProcessed, unmatched: s.webhooksUnmatched, reconciled: s.refreshes.reconciled, outcome: s.outcomes.get("case-1") ?? null }))
      }
    }).pipe(Effect.provide(layer)))
    // At 35 s the event is still there, unprocessed, waiting for the attempt (was: completed at 30 s, never applied).
    expect(out.at35).toEqual({
      attempt: [[out.attemptId, "reserved"]], pending: ["wh-1"], ready: [],
      rows: [["wh-1", false, `waiting: no attempt created order ${out.orderId}; waiting for attempt ${out.attemptId} (reserved since ${iso(NOW)}) to be reconciled: it may have created it`]]
    })
    // Reconciliation gave the attempt its order; the stored webhook then applied login_error.
    expect(out.ledger).toEqual([[out.attemptId, "failed", out.orderId, { "link-1": "login_error" }]])
    expect(out.connection).toEqual(["login_error"])
    expect(out.queue).toEqual([["bridge-update", "connection.needs-user", out.attemptId]])
    // One refresh only; reconciliation's two reads; the Bridge token. The poll found the attempt resolved (no call).
    expect(out.calls).toEqual(["refreshOrder", "getOrder", "getOrder", "createBridgeToken"])
    // The first pass's renewal of the case waits for the dead worker's refresh: in flight.
    expect(out.stats).toEqual([
      { processed: 0, unmatched: 0, reconciled: 0, outcome: "in-flight" },
      { processed: 1, unmatched: 0, reconciled: 1, outcome: "reauth-queued" }
    ])
    expect(await inboxRows(db)).toEqual([["wh-1", true, "final: case case-1 reauth-queued"]])
  }, 60_000)

  it("an event for an order no attempt of ours can have created is completed unmatched, with why, and counted", async () => {
    const db = sqliteDatabase()
    cleanups.push(db.cleanup)
    const layer = Layer.mergeAll(
      SqlStore.layer({ url: db.url, encryptionKey: generateEncryptionKey() }),
      InMemoryTruvGateway.layer({ lineages: [lineage], accessTokens: { "link-1": "token-1" } }),
      TestClock.layer()
    )
    const stats = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const store = yield* Store
      yield* store.insertBulk([{ lineage, accessTokens: { "link-1": Redacted.make("token-1") }, cases: [{ ...kase, dueAt: iso(NOW + 200 * DAY) }] }])
      yield* store.insertWebhookEvent({ webhookId: "wh-9", eventType: "order-refresh-failed", body: failureEvent("wh-9", "someone-elses-order", "link-1", NOW), receivedAt: iso(NOW), updatedAt: iso(NOW) })
      const stats = new RunStats()
      yield* drive(drainInbox(stats, "drain"))
      return stats
    }).pipe(Effect.provide(layer)))
    expect([stats.webhooksProcessed, stats.webhooksIgnored, stats.webhooksUnmatched]).toEqual([1, 1, 1])
    expect(await inboxRows(db)).toEqual([["wh-9", true,
      "unmatched: no attempt created order someone-elses-order, and no attempt of ours for link-1 is in flight without an order: none can have created it"]])
  }, 60_000)
})
