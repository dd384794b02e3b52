/**
 * Issue 16, on every dialect: a client request followed to its end. `completeRequest` resolves
 * the request once (state `completed`, `handled` in the event's words) with its
 * `case.client-action-completed` event in the same transaction; the lookups the scheduler uses
 * (`requestForOrder`, `openRequestsForConnection`, `openOrderRequests`); and `moveLineage`: the
 * case points at the new order's lineage (its token encrypted, a reused link moved with its row),
 * fenced on the case's root, so a second move changes nothing.
 */
import type { VerificationRequest } from "@recert/core"
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { sql } from "kysely"
import { describe, expect } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { HOUR, NOW, run, seed } from "./support/fixtures.js"

const iso = (ms: number) => new Date(ms).toISOString()

const ask = (caseId: string, over: Partial<VerificationRequest> = {}): VerificationRequest => ({
  caseId, kind: "new-order", connectionIds: [`${caseId.slice(5)}-l1`], reason: "connection.no-data", detail: "no_data",
  bridgeToken: null, shareUrl: "https://truv.example/share/1", orderId: "new-1", createdAt: iso(NOW), ...over
})

for (const dialect of DIALECTS) {
  describe(`client requests followed to the end on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("completeRequest completes a request once, with its event; the lookups find it", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ca")
        yield* store.enqueueVerification(ask("case-ca"))
        yield* store.enqueueVerification(ask("case-ca", { kind: "bridge-update", connectionIds: ["ca-l2"], bridgeToken: "bt-1", shareUrl: null, orderId: null }))
        const [order, bridge] = yield* store.listVerificationQueue()
        const found = {
          byOrder: (yield* store.requestForOrder("new-1"))?.id, none: yield* store.requestForOrder("other"),
          byLink: (yield* store.openRequestsForConnection("ca-l2")).map((q) => q.id), notL1: (yield* store.openRequestsForConnection("ca-l1")).length,
          toPoll: (yield* store.openOrderRequests(iso(NOW + 1))).map((q) => q.id), notYet: (yield* store.openOrderRequests(iso(NOW))).length
        }
        yield* TestClock.setTime(NOW + 26 * HOUR)
        const first = yield* store.completeRequest(order!.id, iso(NOW + 25 * HOUR), "new-order")
        const again = yield* store.completeRequest(order!.id, iso(NOW + 26 * HOUR), "new-order")
        const missing = yield* store.completeRequest(999_999, iso(NOW), "reauthentication")
        return {
          ids: [order!.id, bridge!.id], found, results: [first, again, missing],
          // A completed request is still found for a late event, resolved; no longer polled.
          late: (yield* store.requestForOrder("new-1"))?.resolvedAt, polled: (yield* store.openOrderRequests(iso(NOW + 30 * HOUR))).length,
          all: (yield* store.listVerificationQueue({ includeResolved: true })).map((q) => [q.kind, q.state ?? null, q.resolvedAt, q.resolution]),
          events: (yield* store.listEvents({ caseId: "case-ca", limit: 100 })).map((e) => [e.type, e.occurredAt])
        }
      }))
      const [orderId, bridgeId] = r.ids
      expect(bridgeId).not.toBe(orderId)
      expect(r.found).toEqual({ byOrder: orderId, none: null, byLink: [bridgeId], notL1: 0, toPoll: [orderId], notYet: 0 })
      expect(r.results).toEqual([true, false, false])
      expect(r.late).toBe(iso(NOW + 25 * HOUR))
      expect(r.polled).toBe(0)
      expect(r.all).toEqual([["new-order", "completed", iso(NOW + 25 * HOUR), "handled"], ["bridge-update", null, null, null]])
      // Newest first: the completion (once), then the two requests queued.
      expect(r.events).toEqual([
        ["case.client-action-completed", iso(NOW + 25 * HOUR)],
        ["case.client-action-needed", iso(NOW)],
        ["case.client-action-needed", iso(NOW)]
      ])
      const { db } = openDatabase(suite.t.url, suite.t.schema === undefined ? {} : { schema: suite.t.schema })
      try {
        const rows = await db.selectFrom("outbox_events").select("body").where("case_id", "=", "case-ca").where("type", "=", "case.client-action-completed").execute()
        expect(rows.map((x) => (JSON.parse(x.body) as { payload: unknown }).payload)).toEqual([
          { requestId: orderId, contact: "verification-link", resolution: "handled", resolvedAt: iso(NOW + 25 * HOUR) }
        ])
      } finally {
        await db.destroy()
      }
    })

    test("moveLineage points the case at the new order's lineage, once; a reused link moves, a new one is inserted encrypted", async () => {
      const at = iso(NOW + 25 * HOUR)
      const move = {
        caseId: "case-ma", fromRootOrderId: "ma",
        lineage: {
          rootOrderId: "new-ma", orderType: "income" as const, gse: false, orderNumber: "N-ma", userId: "user-new", status: "open" as const,
          orders: [{ id: "new-ma", parentId: null, createdAt: iso(NOW) }],
          connections: [
            { id: "ma-l2", suborderId: "s-2", suborderNumber: "1", kind: "employer" as const, provider: "adp", authKind: "oauth" as const, authenticatedAt: at, lastTaskStatus: "done" as const, lastStatusAt: at },
            { id: "new-l9", suborderId: "s-9", suborderNumber: "2", kind: "employer" as const, provider: "gusto", authKind: "unknown" as const, authenticatedAt: at, lastTaskStatus: "done" as const, lastStatusAt: at }
          ]
        },
        accessTokens: { "ma-l2": Redacted.make("token-reused-PLAINTEXT"), "new-l9": Redacted.make("token-new-PLAINTEXT") }
      }
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ma")
        yield* seed("mb")
        const results = [yield* store.moveLineage(move), yield* store.moveLineage(move), yield* store.moveLineage({ ...move, caseId: "case-mb", fromRootOrderId: "elsewhere" })]
        const snapshot = yield* store.loadSnapshot("case-ma")
        const old = (yield* store.loadSnapshot("case-mb")).lineage.rootOrderId
        return {
          results, old, root: snapshot.lineage.rootOrderId, userId: snapshot.lineage.userId, orders: snapshot.lineage.orders.map((o) => [o.id, o.parentId]),
          connections: snapshot.lineage.connections.map((c) => [c.id, c.suborderId, c.provider, c.authKind, c.authenticatedAt, c.lastTaskStatus]),
          tokens: [Redacted.value(yield* store.accessToken("ma-l2")), Redacted.value(yield* store.accessToken("new-l9"))]
        }
      }))
      expect(r.results).toEqual(["moved", "already", "elsewhere"])
      expect([r.root, r.userId, r.old]).toEqual(["new-ma", "user-new", "mb"])
      expect(r.orders).toEqual([["new-ma", null]])
      expect(r.connections).toEqual([["ma-l2", "s-2", "adp", "oauth", at, "done"], ["new-l9", "s-9", "gusto", "unknown", at, "done"]])
      expect(r.tokens).toEqual(["token-reused-PLAINTEXT", "token-new-PLAINTEXT"])
      // At rest the tokens are encrypted; the old lineage keeps what did not move (its first link).
      const { db } = openDatabase(suite.t.url, suite.t.schema === undefined ? {} : { schema: suite.t.schema })
      try {
        const rows = await db.selectFrom("connections").select(["id", "root_order_id", "access_token"]).where("id", "in", ["ma-l1", "ma-l2", "new-l9"]).orderBy("id").execute()
        expect(rows.map((x) => [x.id, x.root_order_id])).toEqual([["ma-l1", "ma"], ["ma-l2", "new-ma"], ["new-l9", "new-ma"]])
        expect(rows.some((x) => x.access_token.includes("PLAINTEXT"))).toBe(false)
        const cases = await sql<{ id: string; root_order_id: string }>`select id, root_order_id from cases where id in ('case-ma', 'case-mb') order by id`.execute(db)
        expect(cases.rows.map((c) => [c.id, c.root_order_id])).toEqual([["case-ma", "new-ma"], ["case-mb", "mb"]])
      } finally {
        await db.destroy()
      }
    })
  })
}
