/**
 * Open verification requests (migration 0004), on every dialect: a case's open requests oldest
 * first (`openVerificationsForCase`), resolving one once with why (`resolveVerification`:
 * `superseded`, or `handled` by default), the queue listing the resolution, and the upgrade from
 * 0003 marking rows already resolved `handled`.
 */
import type { VerificationRequest } from "@recert/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { sql } from "kysely"
import { describe, expect } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { openForCase } from "../src/ops/verification-queue.js"
import { DIALECTS, migrateTo, useTestDatabase } from "./support/dialects.js"
import { HOUR, NOW, run, seed } from "./support/fixtures.js"

const iso = (ms: number) => new Date(ms).toISOString()

const ask = (caseId: string, over: Partial<VerificationRequest> = {}): VerificationRequest => ({
  caseId, kind: "bridge-update", connectionIds: [`${caseId.slice(5)}-l1`], reason: "connection.needs-user", detail: "login_error",
  bridgeToken: "bt-1", shareUrl: null, orderId: null, createdAt: iso(NOW), ...over
})

for (const dialect of DIALECTS) {
  describe(`open verification requests on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("openVerificationsForCase lists a case's open requests oldest first; resolveVerification resolves one once", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("oa")
        yield* seed("ob")
        yield* store.enqueueVerification(ask("case-oa", { createdAt: iso(NOW + HOUR), bridgeToken: "bt-2" }))
        yield* store.enqueueVerification(ask("case-oa"))
        yield* store.enqueueVerification(ask("case-ob", { bridgeToken: "bt-3" }))
        yield* store.enqueueVerification(ask("case-oa", {
          kind: "new-order", connectionIds: ["oa-l1", "oa-l2"], bridgeToken: null, shareUrl: "https://truv.example/share/1", orderId: "new-1", attemptId: "att-1"
        }))
        const ids = (yield* store.listVerificationQueue()).map((q) => q.id).sort((a, b) => a - b) // insertion order
        const before = yield* store.openVerificationsForCase("case-oa")
        yield* TestClock.setTime(NOW + 7 * HOUR)
        const superseded = yield* store.resolveVerification(before[0]!.id, "superseded")
        yield* TestClock.setTime(NOW + 8 * HOUR)
        const again = yield* store.resolveVerification(before[0]!.id)
        const handled = yield* store.resolveVerification(before[1]!.id)
        const missing = yield* store.resolveVerification(999_999)
        return {
          ids, before, results: [superseded, again, handled, missing],
          after: (yield* store.openVerificationsForCase("case-oa")).map((q) => q.bridgeToken),
          other: (yield* store.openVerificationsForCase("case-ob")).map((q) => q.bridgeToken),
          none: yield* store.openVerificationsForCase("case-none"),
          all: (yield* store.listVerificationQueue({ includeResolved: true })).map((q) => [q.caseId, q.bridgeToken ?? q.orderId, q.resolvedAt, q.resolution]),
          open: (yield* store.listVerificationQueue()).map((q) => [q.bridgeToken ?? q.orderId, q.resolution]),
          stats: (yield* store.stats({ since: iso(NOW) })).verificationQueueOpen
        }
      }))
      const [id1, id2, , id4] = r.ids
      // Ties at the same instant by id; the later request last.
      expect(r.before).toEqual([
        { ...ask("case-oa"), id: id2, attemptId: null, resolvedAt: null, resolution: null },
        {
          ...ask("case-oa", { kind: "new-order", connectionIds: ["oa-l1", "oa-l2"], bridgeToken: null, shareUrl: "https://truv.example/share/1", orderId: "new-1", attemptId: "att-1" }),
          id: id4, resolvedAt: null, resolution: null
        },
        { ...ask("case-oa", { createdAt: iso(NOW + HOUR), bridgeToken: "bt-2" }), id: id1, attemptId: null, resolvedAt: null, resolution: null }
      ])
      expect(r.results).toEqual([true, false, true, false])
      expect(r.after).toEqual(["bt-2"])
      expect(r.other).toEqual(["bt-3"])
      expect(r.none).toEqual([])
      // The first resolution's instant and why are kept.
      expect(r.all).toEqual([
        ["case-oa", "bt-1", iso(NOW + 7 * HOUR), "superseded"],
        ["case-ob", "bt-3", null, null],
        ["case-oa", "new-1", iso(NOW + 8 * HOUR), "handled"],
        ["case-oa", "bt-2", null, null]
      ])
      expect(r.open).toEqual([["bt-3", null], ["bt-2", null]])
      expect(r.stats).toBe(2)
    })

    test("upgrading from 0003: requests already resolved are marked handled, open ones stay open", async () => {
      const fresh = await dialect.create()
      try {
        await migrateTo(fresh, "0003_follow_ups")
        const r = await run(fresh, Effect.gen(function*() {
          const store = yield* Store
          yield* seed("up")
          // Written by a 0003 build: two requests, the first resolved by hand (no resolution column yet).
          // Raw rows: today's enqueueVerification also appends to the outbox (0011), which a 0003 schema lacks.
          yield* Effect.promise(async () => {
            const { db: raw } = openDatabase(fresh.url, fresh.schema !== undefined ? { schema: fresh.schema } : {})
            try {
              for (const [token, at] of [["bt-1", NOW], ["bt-2", NOW + HOUR]] as const) {
                await sql`insert into verification_queue (case_id, kind, connection_ids, reason, detail, bridge_token, created_at)
                  values ('case-up', 'bridge-update', '["up-l1"]', 'connection.needs-user', 'login_error', ${token}, ${at})`.execute(raw)
              }
            } finally {
              await raw.destroy()
            }
          })
          const [first] = yield* store.listVerificationQueue()
          yield* Effect.promise(async () => {
            const { db: raw } = openDatabase(fresh.url, fresh.schema !== undefined ? { schema: fresh.schema } : {})
            try {
              await sql`update verification_queue set resolved_at = ${NOW + 2 * HOUR} where id = ${first!.id}`.execute(raw)
            } finally {
              await raw.destroy()
            }
          })
          const before = (yield* store.schemaVersion()).current
          const report = yield* store.migrate()
          return {
            before, applied: report.applied,
            all: (yield* store.listVerificationQueue({ includeResolved: true })).map((q) => [q.bridgeToken, q.resolvedAt, q.resolution]),
            open: (yield* store.openVerificationsForCase("case-up")).map((q) => q.bridgeToken)
          }
        }), NOW, { migrate: false })
        expect(r).toEqual({
          before: "0003_follow_ups", applied: ["0004_verification_resolution", "0005_verification_results", "0006_store_meta", "0007_truv_budget", "0008_verification_intents", "0009_client_contact", "0010_request_lifecycle", "0011_outbox", "0012_timing", "0014_retention", "0016_link_deletion", "0018_attempt_writers"],
          all: [["bt-1", iso(NOW + 2 * HOUR), "handled"], ["bt-2", null, null]],
          open: ["bt-2"]
        })
      } finally {
        await fresh.cleanup()
      }
    })

    if (dialect.name === "sqlite") {
      test("SQLite: openVerificationsForCase reads the partial index of open requests by case", async () => {
        await run(suite.t, Effect.void)
        const { db } = openDatabase(suite.t.url)
        try {
          const compiled = openForCase(db, "case-oa").compile()
          const { rows } = await db.executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` })
          expect(rows.map((x) => x.detail).join(" | ")).toContain("verification_queue_case_open")
        } finally {
          await db.destroy()
        }
      })
    }
  })
}
