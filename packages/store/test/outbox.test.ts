/**
 * The outbox (migration 0011), on every dialect: each change appends its event in the same
 * transaction (a verification saved, a request queued, a request resolved; none for a repeated
 * save or a request not stored), deliveries fanned out per destination with its type filter,
 * claimed in order per (case, destination) (a later event waits for the earlier, a dead letter
 * holds the case until redelivered), finished fenced to the lease holder, and listed.
 */
import { incomeSnapshot, verificationRecord } from "@recert/core/testing"
import { OutboxEvent, type VerificationRequest } from "@recert/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { Store, uuidV7 } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { HOUR, NOW, run, seed } from "./support/fixtures.js"

const iso = (ms: number) => new Date(ms).toISOString()
const T1 = "2026-11-20T10:00:00.000Z"

const link = (caseId: string, over: Partial<VerificationRequest> = {}): VerificationRequest => ({
  caseId, kind: "new-order", connectionIds: [`${caseId.slice(5)}-l1`], reason: "connection.needs-user", detail: "login_error",
  bridgeToken: null, shareUrl: "https://truv.example/share/1", orderId: "new-1", createdAt: iso(NOW), ...over
})

describe("uuidV7", () => {
  it("puts the millisecond first (sortable), version 7 and the RFC variant", () => {
    const a = uuidV7(NOW, new Uint8Array(10))
    const b = uuidV7(NOW + 1, new Uint8Array(10).fill(255))
    expect([a, b]).toEqual(["01a202b2-c500-7000-8000-000000000000", "01a202b2-c501-7fff-bfff-ffffffffffff"])
    expect(a < b).toBe(true)
  })
})

for (const dialect of DIALECTS) {
  describe(`outbox on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("every change appends its event in its transaction, with the case's id and order_number", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("xa")
        const renewed = verificationRecord({ caseId: "case-xa", orderId: "ord-2", fetchedAt: T1, previous: incomeSnapshot({ orderId: "prev", fetchedAt: T1 }) })
        const first = verificationRecord({ caseId: "case-xa", orderId: "ord-1", fetchedAt: T1 })
        const saved = [yield* store.saveVerification(first), yield* store.saveVerification(renewed), yield* store.saveVerification(renewed)]
        yield* store.enqueueVerification(link("case-xa", { attemptId: "att-1" }))
        yield* store.enqueueVerification(link("case-xa", { attemptId: "att-1" })) // the same attempt's ask: not stored, no event
        yield* store.enqueueVerification(link("case-xa", { kind: "bridge-update", bridgeToken: "bt-SECRET", shareUrl: null, orderId: null }))
        const [bridge, order] = [...(yield* store.openVerificationsForCase("case-xa"))].sort((a, b) => b.id - a.id)
        yield* TestClock.setTime(NOW + HOUR)
        yield* store.resolveVerification(order!.id, "handled")
        yield* store.resolveVerification(bridge!.id, "superseded")
        yield* store.resolveVerification(bridge!.id, "superseded") // already resolved: no event
        return { saved, events: yield* store.listEvents({ caseId: "case-xa", limit: 100 }), counts: yield* store.deliveryCounts() }
      }))
      expect(r.saved).toEqual([true, true, false])
      const events = [...r.events].reverse()
      expect(events.map((e) => [e.type, e.caseId, e.orderNumber, e.occurredAt])).toEqual([
        ["case.review-needed", "case-xa", "N-xa", iso(NOW)],
        ["case.renewed", "case-xa", "N-xa", iso(NOW)],
        ["case.client-action-needed", "case-xa", "N-xa", iso(NOW)],
        ["case.client-action-needed", "case-xa", "N-xa", iso(NOW)],
        ["case.client-action-completed", "case-xa", "N-xa", iso(NOW + HOUR)],
        ["verification.expired", "case-xa", "N-xa", iso(NOW + HOUR)]
      ])
      expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b))
      expect(r.counts.events).toBeGreaterThanOrEqual(6)
    })

    test("a request stored as an intent gets its case.client-action-needed event when Truv created it, once, not before", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("xi")
        const events = () => Effect.map(store.listEvents({ caseId: "case-xi", limit: 100 }), (es) => es.map((e) => e.type))
        const { claimed } = yield* store.claimVerifications({ caseId: "case-xi", attemptId: "att-i", leaseMs: HOUR, plan: () => [
          { caseId: "case-xi", kind: "new-order", connectionIds: ["xi-l1"], reason: "connection.no-data", detail: "no_data", createdAt: iso(NOW) }
        ] })
        const { request: q, claim } = claimed[0]!
        const afterIntent = yield* events()
        yield* store.markVerificationSent(q.id, claim, HOUR)
        const afterSent = yield* events()
        const settled = [
          yield* store.settleVerification(q.id, { outcome: "created", bridgeToken: null, shareUrl: "https://truv.example/share/xi", orderId: "new-xi" }),
          yield* store.settleVerification(q.id, { outcome: "created", bridgeToken: null, shareUrl: "https://truv.example/share/xi", orderId: "new-xi" })
        ]
        const all = yield* store.listEvents({ caseId: "case-xi", limit: 100 })
        yield* store.fanOutDeliveries([{ name: "intent-check", types: null }])
        const deliveries = yield* store.claimDeliveries({ workerId: "w", destination: "intent-check", limit: 100, leaseMs: 60_000 })
        return { afterIntent, afterSent, settled, all, body: deliveries.find((c) => c.caseId === "case-xi")!.body }
      }))
      expect([r.afterIntent, r.afterSent, r.settled]).toEqual([[], [], [true, false]])
      expect(r.all.map((e) => [e.type, e.orderNumber])).toEqual([["case.client-action-needed", "N-xi"]])
      const e = OutboxEvent.parse(JSON.parse(r.body))
      expect(e.type === "case.client-action-needed" && [e.payload.url, e.payload.orderId, e.payload.reason]).toEqual(["https://truv.example/share/xi", "new-xi", "connection.no-data"])
    })

    test("event bodies match the published schema and carry no token", async () => {
      const bodies = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("xb")
        yield* store.enqueueVerification(link("case-xb", { kind: "bridge-update", bridgeToken: "bt-SECRET", shareUrl: null, orderId: null }))
        yield* store.enqueueVerification(link("case-xb"))
        yield* store.fanOutDeliveries([{ name: "schema-check", types: null }])
        const claimed = yield* store.claimDeliveries({ workerId: "w", destination: "schema-check", limit: 100, leaseMs: 60_000 })
        return claimed.filter((c) => c.caseId === "case-xb").map((c) => c.body)
      }))
      expect(bodies).toHaveLength(1) // one at a time per case: the second waits for the first
      const event = OutboxEvent.parse(JSON.parse(bodies[0]!))
      expect(event.type === "case.client-action-needed" && [event.payload.contact, event.payload.url, event.payload.expiresAt])
        .toEqual(["bridge-reauthentication", null, iso(NOW + 6 * HOUR)])
      expect(bodies[0]).not.toContain("bt-SECRET")
    })

    test("claims in order per (case, destination); a dead letter holds its case until redelivered; fenced finish", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("xc")
        yield* seed("xd")
        for (const c of ["case-xc", "case-xd", "case-xc"]) yield* store.appendEvent({ type: "case.escalated", caseId: c, payload: { requestId: null, why: "w", caseworkerAction: "call" } })
        const targets = [{ name: "all", types: null }, { name: "renewals", types: ["case.renewed"] }]
        const created = yield* store.fanOutDeliveries(targets)
        const again = yield* store.fanOutDeliveries(targets)
        const claim = (workerId: string) => Effect.map(store.claimDeliveries({ workerId, destination: "all", limit: 100, leaseMs: 60_000 }),
          (cs) => cs.filter((c) => c.caseId === "case-xc" || c.caseId === "case-xd").map((c) => `${c.caseId}#${c.attempt}`))
        const first = yield* claim("w1")
        const second = yield* claim("w2") // everything of these cases is leased or waiting
        const all = (yield* store.listEvents({ limit: 100 })).filter((e) => e.caseId === "case-xc" || e.caseId === "case-xd")
        const [xc2, xd1, xc1] = all.map((e) => ({ destination: "all", eventSeq: e.seq }))
        const stolen = yield* Effect.flip(store.completeDelivery(xc1!, "w2", 200))
        yield* store.failDelivery(xc1!, "w1", { status: 500, error: "HTTP 500", retryAt: null }) // dead
        yield* store.completeDelivery(xd1!, "w1", 204)
        const afterDead = yield* claim("w3")
        const failed = (yield* store.listEvents({ failed: true, limit: 10 })).map((e) => e.caseId)
        const redelivered = yield* store.redeliver({ failed: true })
        const afterRedeliver = yield* claim("w4")
        yield* store.completeDelivery(xc1!, "w4", 200)
        const next = yield* claim("w5")
        return { created, again, first, second, stolen: stolen._tag, afterDead, failed, redelivered, afterRedeliver, next, xc2 }
      }))
      expect(r.created).toBeGreaterThanOrEqual(3) // "renewals" takes none of these
      expect(r.again).toBe(0)
      expect(r.first).toEqual(["case-xc#1", "case-xd#1"])
      expect(r.second).toEqual([])
      expect(r.stolen).toBe("LeaseLost")
      expect(r.afterDead).toEqual([])
      expect(r.failed).toEqual(["case-xc"])
      expect(r.redelivered).toBe(1)
      expect(r.afterRedeliver).toEqual(["case-xc#1"])
      expect(r.next).toEqual(["case-xc#1"])
    })
  })
}
