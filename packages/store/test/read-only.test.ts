/**
 * A store opened read-only never writes, on either dialect (issue 14: the admin CLI's reading
 * commands open it so): reads work, and every kind of write fails with a `StoreError` of reason
 * `read-only` naming the operation, with nothing written. SQLite: a read-only connection.
 * Postgres: every pooled connection's transactions are read-only (`default_transaction_read_only`).
 */
import type { StoreError } from "@recert/core"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { aCase, lineage, run, tokensFor } from "./support/fixtures.js"

const failure = <A>(effect: Effect.Effect<A, unknown>) =>
  Effect.map(Effect.flip(effect), (e) => {
    const s = e as StoreError
    return { tag: s._tag, operation: s.operation, reason: s.reason }
  })

for (const dialect of DIALECTS) {
  describe(`read-only on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)

    suite.test("reads work; every write fails with StoreError reason read-only, and nothing is written", async () => {
      await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* store.insertLineage(lineage("ro"), tokensFor(lineage("ro")))
        yield* store.insertCases([aCase("ro-1", "ro")])
      }))
      const out = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        return {
          read: (yield* store.getCase("ro-1")).id,
          writes: [
            yield* failure(store.insertCases([aCase("ro-2", "ro")])),
            yield* failure(store.reserve({ caseId: "ro-1", product: null })),
            yield* failure(store.enqueueJobs([{ kind: "renew", payload: { caseId: "ro-1" } }])),
            yield* failure(store.insertWebhookEvent({ webhookId: "w-1", eventType: "order-status-updated", body: "{}", receivedAt: "2026-11-22T10:00:00.000Z", updatedAt: "2026-11-22T10:00:00.000Z" }))
          ]
        }
      }), undefined, { readOnly: true, migrate: false })
      expect(out).toEqual({
        read: "ro-1",
        writes: [
          { tag: "StoreError", operation: "insertCases", reason: "read-only" },
          { tag: "StoreError", operation: "reserve", reason: "read-only" },
          { tag: "StoreError", operation: "enqueueJobs", reason: "read-only" },
          { tag: "StoreError", operation: "insertWebhookEvent", reason: "read-only" }
        ]
      })
      const { db } = openDatabase(suite.t.url, suite.t.schema === undefined ? {} : { schema: suite.t.schema })
      try {
        expect((await db.selectFrom("cases").select("id").execute()).map((r) => r.id)).toEqual(["ro-1"])
        expect(await db.selectFrom("jobs").select("id").execute()).toEqual([])
      } finally {
        await db.destroy()
      }
    })
  })
}
