/**
 * Durable follow-ups (migration 0003), on every dialect: final attempts whose follow-up is owed
 * (`pendingFollowUps`), marking one done (`markFollowedUp`), and the upgrade from 0002 marking the
 * attempts already final. One verification request per attempt, kind and connections is port
 * behaviour: core's RenewalStore contract (sql-store.contract.test.ts).
 */
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { owedAttempts } from "../src/ops/follow-ups.js"
import { owedFollowUpOf } from "../src/ops/reserve.js"
import { DIALECTS, migrateTo, type TestDatabase, useTestDatabase } from "./support/dialects.js"
import { HOUR, NOW, run, seed } from "./support/fixtures.js"

const iso = (ms: number) => new Date(ms).toISOString()

/** Reserves the case's refresh at the clock's now and sends it as `orderId`. */
const sent = (caseId: string, orderId: string) => Effect.gen(function*() {
  const store = yield* Store
  const { attempt } = yield* store.reserve({ caseId, product: null })
  if (attempt === null) return yield* Effect.die(`no attempt for ${caseId}`)
  return yield* store.transitionAttempt(attempt.id, "sent", { orderId })
})

/** Attempts and their connections written straight into a database at 0002, at NOW. */
const ledgerAt0002 = async (t: TestDatabase, attempts: ReadonlyArray<{
  readonly id: string; readonly root: string; readonly connectionIds: ReadonlyArray<string>; readonly status: string
  readonly orderId: string; readonly outcomes: Record<string, string>; readonly resolvedAt: number | null
}>) => {
  const { db } = openDatabase(t.url, t.schema !== undefined ? { schema: t.schema } : {})
  try {
    for (const a of attempts) {
      await db.insertInto("attempts").values({
        id: a.id, case_id: `case-${a.root}`, root_order_id: a.root, at: NOW, product: "income", status: a.status, order_id: a.orderId,
        rejection: null, outcomes: JSON.stringify(a.outcomes), resolved_at: a.resolvedAt, gse_free: 0, updated_at: NOW
      }).execute()
      await db.insertInto("attempt_connections").values(a.connectionIds.map((c) => ({ attempt_id: a.id, connection_id: c, at: NOW }))).execute()
    }
  } finally {
    await db.destroy()
  }
}

for (const dialect of DIALECTS) {
  describe(`durable follow-ups on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("pendingFollowUps: final attempts not marked, final before the instant, oldest first; markFollowedUp removes them", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        for (const root of ["fa", "fb", "fc", "fd"]) yield* seed(root)
        // fa: succeeded at NOW+1h; fb: failed at NOW+2h; fc: still sent; fd: rejected at NOW.
        const a = yield* sent("case-fa", "fa-order")
        const b = yield* sent("case-fb", "fb-order")
        yield* sent("case-fc", "fc-order")
        const { attempt: d } = yield* store.reserve({ caseId: "case-fd", product: null })
        yield* store.transitionAttempt(d!.id, "rejected", { rejection: "refresh-limit" })
        yield* TestClock.setTime(NOW + HOUR)
        for (const c of a.connectionIds) yield* store.recordOutcome(a.id, c, "done", iso(NOW + HOUR))
        yield* TestClock.setTime(NOW + 2 * HOUR)
        yield* store.recordOutcome(b.id, "fb-l1", "done", iso(NOW + 2 * HOUR))
        yield* store.recordOutcome(b.id, "fb-l2", "no_data", iso(NOW + 2 * HOUR))
        const list = (before: number, limit?: number) => Effect.map(store.pendingFollowUps(iso(before), limit),
          (xs) => xs.map((x) => [x.caseId, x.attempt.id, x.attempt.status, x.attempt.connectionIds, x.attempt.outcomes]))
        const atFinal = yield* list(NOW + HOUR)
        const afterFirst = yield* list(NOW + HOUR + 1)
        const both = yield* list(NOW + 3 * HOUR)
        const limited = yield* list(NOW + 3 * HOUR, 1)
        yield* store.markFollowedUp(a.id)
        yield* TestClock.setTime(NOW + 5 * HOUR)
        yield* store.markFollowedUp(a.id)
        yield* store.markFollowedUp("no-such-attempt")
        const afterMark = yield* list(NOW + 3 * HOUR)
        yield* store.markFollowedUp(b.id)
        const none = yield* list(NOW + 3 * HOUR)
        return { ids: { a: a.id, b: b.id }, atFinal, afterFirst, both, limited, afterMark, none }
      }))
      const fa = ["case-fa", r.ids.a, "succeeded", ["fa-l1", "fa-l2"], { "fa-l1": "done", "fa-l2": "done" }]
      const fb = ["case-fb", r.ids.b, "failed", ["fb-l1", "fb-l2"], { "fb-l1": "done", "fb-l2": "no_data" }]
      expect(r.atFinal).toEqual([])
      expect(r.afterFirst).toEqual([fa])
      expect(r.both).toEqual([fa, fb])
      expect(r.limited).toEqual([fa])
      expect(r.afterMark).toEqual([fb])
      expect(r.none).toEqual([])
      // The first mark's instant is kept.
      const { db } = openDatabase(suite.t.url, suite.t.schema !== undefined ? { schema: suite.t.schema } : {})
      try {
        const row = await db.selectFrom("attempts").select("followed_up_at").where("id", "=", r.ids.a).executeTakeFirstOrThrow()
        expect(Number(row.followed_up_at)).toBe(NOW + 2 * HOUR)
      } finally {
        await db.destroy()
      }
    })

    test("upgrading from 0002: attempts already final are marked followed up, later ones are owed", async () => {
      const fresh = await dialect.create()
      try {
        await migrateTo(fresh, "0002_webhook_claims")
        const r = await run(fresh, Effect.gen(function*() {
          const store = yield* Store
          yield* seed("up1")
          yield* seed("up2")
          // The ledger as a 0002 store wrote it (today's reserve reads columns added since: connections.deleted_at, 0016).
          const done = { id: "att-up1", connectionIds: ["up1-l1", "up1-l2"] }
          const open = { id: "att-up2", connectionIds: ["up2-l1", "up2-l2"] }
          yield* Effect.promise(() => ledgerAt0002(fresh, [
            { ...done, root: "up1", status: "succeeded", orderId: "up1-order", outcomes: { "up1-l1": "done", "up1-l2": "done" }, resolvedAt: NOW },
            { ...open, root: "up2", status: "sent", orderId: "up2-order", outcomes: {}, resolvedAt: null }
          ]))
          const before = (yield* store.schemaVersion()).current
          const report = yield* store.migrate()
          yield* TestClock.setTime(NOW + HOUR)
          for (const c of open.connectionIds) yield* store.recordOutcome(open.id, c, "login_error", iso(NOW + HOUR))
          const owed = yield* store.pendingFollowUps(iso(NOW + 2 * HOUR))
          return { before, applied: report.applied, owed: owed.map((x) => x.attempt.id), openId: open.id }
        }), NOW, { migrate: false })
        expect(r).toEqual({ before: "0002_webhook_claims", applied: ["0003_follow_ups", "0004_verification_resolution", "0005_verification_results", "0006_store_meta", "0007_truv_budget", "0008_verification_intents", "0009_client_contact", "0010_request_lifecycle", "0011_outbox", "0012_timing", "0014_retention", "0016_link_deletion", "0018_attempt_writers"], owed: [r.openId], openId: r.openId })
      } finally {
        await fresh.cleanup()
      }
    })

    test("a follow-up owed blocks renewals of its case (reserve oncePerCycle); the mark and the retry's job are one write", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ow")
        const a = yield* sent("case-ow", "ow-order")
        yield* TestClock.setTime(NOW + HOUR)
        for (const c of a.connectionIds) yield* store.recordOutcome(a.id, c, "unavailable", iso(NOW + HOUR))
        // Long after the failure (past its backoff and inFlightRecheckMinutes): only the owed follow-up holds the renewal back.
        yield* TestClock.setTime(NOW + 30 * HOUR)
        const owed = yield* store.reserve({ caseId: "case-ow", product: null, oncePerCycle: true })
        // Without renewal semantics (the limits only, e.g. `recert plan`'s questions), nothing changes.
        const limitsOnly = yield* store.reserve({ caseId: "case-ow", product: null })
        if (limitsOnly.attempt !== null) yield* store.transitionAttempt(limitsOnly.attempt.id, "rejected", { rejection: "not-sent" })
        const job = { kind: "renew", key: `renew:case-ow:retry:${a.id}`, payload: { caseId: "case-ow" } }
        yield* store.markFollowedUp(a.id, [job])
        yield* store.markFollowedUp(a.id, [job])
        const claimed = yield* store.claimJobs({ workerId: "w1", kind: "renew", limit: 10, leaseMs: 1000 })
        const after = yield* store.reserve({ caseId: "case-ow", product: null, oncePerCycle: true })
        return {
          owed: [owed.attempt, owed.notNeeded, owed.decision.verdict], limitsOnly: limitsOnly.attempt?.status ?? null,
          claimed: claimed.map((j) => j.key), after: [after.attempt?.status ?? null, after.notNeeded ?? null]
        }
      }))
      expect(r).toEqual({
        owed: [null, expect.stringMatching(/^follow-up owed: attempt [0-9a-f-]{36} is final and its follow-up has not finished/), "refresh"],
        limitsOnly: "reserved",
        claimed: [expect.stringMatching(/^renew:case-ow:retry:/)],
        after: ["reserved", null]
      })
    })

    if (dialect.name === "sqlite") {
      test("SQLite: reserve's owed follow-up probe reads the case's attempts by index", async () => {
        await run(suite.t, Effect.void)
        const { db } = openDatabase(suite.t.url)
        try {
          const compiled = owedFollowUpOf(db, "case-x").compile()
          const { rows } = await db.executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` })
          expect(rows.map((x) => x.detail)).toEqual(["SEARCH attempts USING INDEX attempts_case_at (case_id=?)"])
        } finally {
          await db.destroy()
        }
      })

      test("SQLite: pendingFollowUps reads the partial index of owed attempts", async () => {
        await run(suite.t, Effect.void)
        const { db } = openDatabase(suite.t.url)
        try {
          const compiled = owedAttempts(db, NOW, 1000).compile()
          const { rows } = await db.executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` })
          expect(rows.map((x) => x.detail).join(" | ")).toContain("attempts_follow_up_owed")
        } finally {
          await db.destroy()
        }
      })
    }
  })
}
