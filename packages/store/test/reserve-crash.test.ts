/**
 * A worker process SIGKILLed in the middle of a reservation. Inside the transaction (after the
 * insert, before commit): nothing of it survives, the database is intact and the lock is free.
 * After the commit but before recording Truv's answer: the attempt survives, stays unresolved
 * for reconciliation, and counts (the next reserve waits on it).
 */
import { Effect } from "effect"
import { sql } from "kysely"
import { describe, expect } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { NOW, run, seed } from "./support/fixtures.js"
import { spawnWorker } from "./support/spawn.js"

for (const dialect of DIALECTS) {
  describe(`crash during a reservation on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("killed inside the transaction: no attempt, no decision, database intact, next reserve proceeds", async () => {
      await run(suite.t, seed("crash1"))
      const worker = spawnWorker(suite.t, { MODE: "crash-inside", CASES: "case-crash1", NOW: String(NOW) })
      await worker.waitFor(/^INSIDE$/)
      worker.child.kill("SIGKILL")
      await worker.done().catch(() => undefined)
      if (suite.t.file !== undefined) {
        const { db } = openDatabase(suite.t.file)
        const { rows } = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db)
        await db.destroy()
        expect(rows).toEqual([{ integrity_check: "ok" }])
      }
      const after = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        const before = (yield* store.ledgerForCase("case-crash1")).length
        const decisions = (yield* store.decisionsForCase("case-crash1")).length
        const { attempt } = yield* store.reserve({ caseId: "case-crash1", product: null })
        return { before, decisions, reserved: attempt?.status, ledger: (yield* store.ledgerForCase("case-crash1")).length }
      }))
      expect(after).toEqual({ before: 0, decisions: 0, reserved: "reserved", ledger: 1 })
    }, 60_000)

    test("killed after commit, before recording: the attempt is kept, unresolved, and counts", async () => {
      await run(suite.t, seed("crash2"))
      const worker = spawnWorker(suite.t, { MODE: "crash-after-commit", CASES: "case-crash2", NOW: String(NOW) })
      const line = await worker.waitFor(/^RESERVED /)
      worker.child.kill("SIGKILL")
      await worker.done().catch(() => undefined)
      const attemptId = line.slice("RESERVED ".length)
      const after = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        const ledger = yield* store.ledgerForCase("case-crash2")
        const unresolved = (yield* store.unresolvedAttempts(new Date(NOW + 60_000).toISOString())).filter((u) => u.caseId === "case-crash2")
        // reconciliation marks it unknown: it still counts
        yield* store.transitionAttempt(attemptId, "unknown")
        const next = yield* store.reserve({ caseId: "case-crash2", product: null })
        return {
          ledger: ledger.map((a) => [a.id, a.status, a.connectionIds]),
          unresolved: unresolved.map((u) => u.attempt.id),
          next: next.decision.verdict,
          codes: next.decision.reasons.map((r) => r.code),
          remaining: next.decision.connections.map((c) => c.remainingInWindow)
        }
      }), NOW + 60_000)
      expect(after.ledger).toEqual([[attemptId, "reserved", ["crash2-l1", "crash2-l2"]]])
      expect(after.unresolved).toEqual([attemptId])
      expect(after.next).toBe("wait")
      expect(after.codes).toContain("refresh.in-flight")
      expect(after.remaining).toEqual([2, 2])
    }, 60_000)
  })
}
