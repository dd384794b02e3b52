/**
 * Verification requests' lifecycle (issue 16, migration 0010) on every dialect: each transition
 * writes its outbox event in its own transaction (a reminder the agency sends, an expiry, an
 * escalation, a completion; none for Truv's own reminder, none for a refused move), workers
 * racing on one request remind it once and expire it once, and a database already migrated to
 * 0011 gets 0010 afterwards with its requests backfilled.
 */
import { OutboxEvent } from "@recert/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { Migrator, sql } from "kysely"
import { describe, expect } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { LATEST_MIGRATION, migrations } from "../src/migrations.js"
import { DIALECTS, type TestDatabase, useTestDatabase } from "./support/dialects.js"
import { HOUR, NOW, run, seed } from "./support/fixtures.js"

const iso = (ms: number) => new Date(ms).toISOString()
// NOW is Sunday 2026-11-22 10:00: a new order made then expires Thursday 00:00, first reminder Tuesday 00:00.
const EXPIRES = Date.parse("2026-11-26T00:00:00.000Z")
const REMIND_1 = Date.parse("2026-11-24T00:00:00.000Z")

/** A new order for `caseId`'s first connection, claimed and created at Truv: its id. */
const sentOrder = (caseId: string, connection: string) => Effect.gen(function*() {
  const store = yield* Store
  const { claimed } = yield* store.claimVerifications({ caseId, attemptId: null, leaseMs: HOUR, plan: () => [
    { caseId, kind: "new-order", connectionIds: [connection], reason: "connection.auth-expired", detail: "OAuth expired", createdAt: iso(NOW) }
  ] })
  const id = claimed[0]!.request.id
  yield* store.settleVerification(id, { outcome: "created", bridgeToken: null, shareUrl: `https://truv.example/s/${id}`, orderId: `new-${id}` })
  return id
})

/** The case's events as delivered (the outbox's `body`), in order. */
const bodies = async (t: TestDatabase, caseId: string): Promise<Array<OutboxEvent>> => {
  const { db } = openDatabase(t.url, t.schema !== undefined ? { schema: t.schema } : {})
  try {
    const rows = await db.selectFrom("outbox_events").select("body").where("case_id", "=", caseId).orderBy("seq").execute()
    return rows.map((r) => OutboxEvent.parse(JSON.parse(r.body)))
  } finally {
    await db.destroy()
  }
}

for (const dialect of DIALECTS) {
  describe(`request lifecycle on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("each transition writes its event in its transaction; Truv's own reminder and a refused move write none", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("la", "case-la", ["la-l1", "la-l2", "la-l3"])
        const a = yield* sentOrder("case-la", "la-l1")
        const b = yield* sentOrder("case-la", "la-l2")
        const c = yield* sentOrder("case-la", "la-l3")
        yield* TestClock.setTime(REMIND_1)
        yield* store.transitionRequest(a, "reminded", "reminder 1 (the agency sends it)", undefined, { notify: true })
        yield* store.transitionRequest(b, "reminded", "Truv's reminder 1 (Truv sends it)")
        yield* store.transitionRequest(c, "completed", "order completed")
        const before = (yield* store.listEvents({ caseId: "case-la", limit: 100 })).length
        const refused = yield* Effect.flip(store.transitionRequest(c, "expired", "late"))
        const after = (yield* store.listEvents({ caseId: "case-la", limit: 100 })).length
        yield* TestClock.setTime(EXPIRES)
        yield* store.transitionRequest(a, "expired", "expired unanswered; replaced (replacement 1 of at most 2 this cycle)")
        yield* store.transitionRequest(b, "escalated", "expired unanswered; 3 links this cycle, 2 replacements allowed: escalated to a caseworker")
        const events = yield* Effect.promise(() => bodies(suite.t, "case-la"))
        return { refused: refused._tag, before, after, events, requests: yield* store.caseRequests("case-la") }
      }))
      expect(r.refused).toBe("IllegalRequestTransition")
      expect(r.after).toBe(r.before)
      expect(r.events.map((e) => [e.type, e.occurredAt, e.payload])).toEqual([
        ...r.requests.map((q): Array<unknown> => ["case.client-action-needed", iso(NOW), {
          requestId: q.id, contact: "verification-link", url: `https://truv.example/s/${q.id}`, orderId: `new-${q.id}`, connectionIds: q.connectionIds,
          reason: "connection.auth-expired", detail: "OAuth expired", expiresAt: iso(EXPIRES)
        }]),
        ["case.client-reminder-due", iso(REMIND_1), { requestId: r.requests[0]!.id, contact: "verification-link", reminder: 1, url: `https://truv.example/s/${r.requests[0]!.id}`, expiresAt: iso(EXPIRES) }],
        ["case.client-action-completed", iso(REMIND_1), { requestId: r.requests[2]!.id, contact: "verification-link", resolution: "handled", resolvedAt: iso(REMIND_1) }],
        ["verification.expired", iso(EXPIRES), { requestId: r.requests[0]!.id, contact: "verification-link", resolution: "expired", resolvedAt: iso(EXPIRES) }],
        ["case.escalated", iso(EXPIRES), {
          requestId: r.requests[1]!.id, why: "expired unanswered; 3 links this cycle, 2 replacements allowed: escalated to a caseworker",
          caseworkerAction: "Contact the client another way (phone, mail, in person) to verify income and employment; Recert sends no further links this cycle."
        }]
      ])
      expect(r.requests.map((q) => [q.state, q.reminders, q.transitions.map((t) => t.to)])).toEqual([
        ["expired", 1, ["created", "sent", "reminded", "expired"]],
        ["escalated", 1, ["created", "sent", "reminded", "escalated"]],
        ["completed", 0, ["created", "sent", "completed"]]
      ])
    })

    test("a request that cannot be made (no usable contact): escalated once, with its case.escalated; eight workers at once, and a later pass, change nothing", async () => {
      const why = "no verification link can be asked: the case's client contact lacks email, which reach truv-sends needs (import it with the case); escalated to a caseworker"
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ld")
        const ask = { caseId: "case-ld", kind: "new-order" as const, connectionIds: ["ld-l1"], reason: "connection.auth-expired", detail: "OAuth expired", createdAt: iso(NOW) }
        const first = yield* Effect.all(Array.from({ length: 8 }, () => store.escalateWithoutAsking(ask, why)), { concurrency: "unbounded" })
        yield* TestClock.setTime(NOW + 24 * HOUR)
        const later = yield* store.escalateWithoutAsking({ ...ask, createdAt: iso(NOW + 24 * HOUR) }, why)
        const events = yield* Effect.promise(() => bodies(suite.t, "case-ld"))
        return { first: first.sort(), later, events, requests: yield* store.caseRequests("case-ld"), open: yield* store.openVerificationsForCase("case-ld") }
      }))
      expect(r.first).toEqual([false, false, false, false, false, false, false, true])
      expect(r.later).toBe(false)
      expect(r.requests.map((q) => [q.kind, q.state, q.expiresAt, q.transitions.map((t) => [t.from, t.to, t.reason])])).toEqual([
        ["new-order", "escalated", null, [[null, "created", "no request made: the client cannot be reached"], ["created", "escalated", why]]]
      ])
      expect(r.open).toEqual([])
      expect(r.events.map((e) => [e.type, e.occurredAt, e.payload])).toEqual([["case.escalated", iso(NOW), {
        requestId: r.requests[0]!.id, why,
        caseworkerAction: "Contact the client another way (phone, mail, in person) to verify income and employment; Recert sends no further links this cycle."
      }]])
    })

    test("eight workers at once: one reminder, one expiry; the others change nothing", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("lc")
        const id = yield* sentOrder("case-lc", "lc-l1")
        yield* TestClock.setTime(REMIND_1)
        const reminded = yield* Effect.all(Array.from({ length: 8 }, () => store.transitionRequest(id, "reminded", "reminder", undefined, { notify: true })), { concurrency: "unbounded" })
        yield* TestClock.setTime(EXPIRES)
        const expired = yield* Effect.all(Array.from({ length: 8 }, () => store.transitionRequest(id, "expired", "expired unanswered")), { concurrency: "unbounded" })
        const events = (yield* store.listEvents({ caseId: "case-lc", limit: 100 })).map((e) => e.type).sort()
        return { reminded: reminded.map((x) => x._tag).sort(), expired: expired.map((x) => x._tag).sort(), events, request: (yield* store.caseRequests("case-lc"))[0]! }
      }))
      expect(r.reminded).toEqual(["applied", ...Array(7).fill("unchanged")])
      expect(r.expired).toEqual(["applied", ...Array(7).fill("unchanged")])
      expect(r.events).toEqual(["case.client-action-needed", "case.client-reminder-due", "verification.expired"])
      expect(r.request.transitions.map((t) => t.to)).toEqual(["created", "sent", "reminded", "expired"])
    })

    test("a database migrated to 0011 before 0010 existed gets 0010, its requests backfilled", async () => {
      const fresh = await dialect.create()
      try {
        const { db, adapter } = openDatabase(fresh.url, fresh.schema !== undefined ? { schema: fresh.schema } : {})
        try {
          const all = migrations(adapter)
          const { ["0010_request_lifecycle"]: _skipped, ...without } = all
          const migrator = new Migrator({ db, provider: { getMigrations: async () => without },
            ...(adapter.migrationTableSchema === undefined ? {} : { migrationTableSchema: adapter.migrationTableSchema }) })
          const { error } = await migrator.migrateToLatest()
          expect(error).toBeUndefined()
        } finally {
          await db.destroy()
        }
        const r = await run(fresh, Effect.gen(function*() {
          const store = yield* Store
          yield* seed("up")
          yield* Effect.promise(async () => {
            const { db: raw } = openDatabase(fresh.url, fresh.schema !== undefined ? { schema: fresh.schema } : {})
            try {
              for (const [kind, state, resolved] of [["new-order", "created", null], ["bridge-update", "intent", null], ["new-order", "created", NOW + HOUR]] as const) {
                await sql`insert into verification_queue (case_id, kind, connection_ids, reason, detail, created_at, state, resolved_at, resolution)
                  values ('case-up', ${kind}, '["up-l1"]', 'connection.needs-user', 'login_error', ${NOW}, ${state}, ${resolved}, ${resolved === null ? null : "handled"})`.execute(raw)
              }
            } finally {
              await raw.destroy()
            }
          })
          const report = yield* store.migrate()
          return { applied: report.applied, current: report.version.current, requests: yield* store.caseRequests("case-up") }
        }), NOW, { migrate: false })
        expect(r.applied).toEqual(["0010_request_lifecycle"])
        expect(r.current).toBe(LATEST_MIGRATION)
        expect(r.requests.map((q) => [q.kind, q.state, q.expiresAt, q.nextDueAt, q.transitions.map((t) => [t.from, t.to, t.at, t.reason])])).toEqual([
          ["new-order", "sent", iso(EXPIRES), iso(REMIND_1), [[null, "sent", iso(NOW), "recorded by migration 0010 (stored before the lifecycle)"]]],
          ["bridge-update", "created", null, null, [[null, "created", iso(NOW), "recorded by migration 0010 (stored before the lifecycle)"]]],
          ["new-order", "completed", iso(EXPIRES), null, [[null, "completed", iso(NOW), "recorded by migration 0010 (stored before the lifecycle)"]]]
        ])
      } finally {
        await fresh.cleanup()
      }
    })
  })
}
