/**
 * Who wrote an attempt's `sent` and its outcomes (issue 15; migration `0018_attempt_writers`).
 * Several `serve` processes share one database. Two of them may apply the same outcome (a webhook
 * on one, the poll on another): the first write wins and both calls return the attempt, so before
 * this both processes counted it, and the workers' summed reports billed one verification twice
 * (chaos `postgres`: 29 against Truv's 28). Every attempt a write returns now says what that store
 * wrote (`ownWrites`), read from the row, so it holds for a lost reply read back too. Each store
 * opened is one writer (here: one `run`, and `elsewhere` for another process).
 */
import type { WrittenAttempt } from "@recert/core"
import { Effect } from "effect"
import { UpdateQueryBuilder, type UpdateResult } from "kysely"
import { afterEach, describe, expect, vi } from "vitest"
import { openDatabase, Store } from "../src/index.js"
import { DIALECTS, type TestDatabase, useTestDatabase } from "./support/dialects.js"
import { run, seed, storeLayer } from "./support/fixtures.js"

/** An UPDATE as kysely builds it (the spied method's receiver). */
type Update = UpdateQueryBuilder<never, never, never, UpdateResult>

const lostReply = () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })

const AT = "2026-11-22T10:05:00.000Z"

/** Records an outcome on a store of its own: another process's write. */
const elsewhere = (t: TestDatabase, attemptId: string, connectionId: string): Promise<WrittenAttempt> =>
  Effect.runPromise(Effect.gen(function*() {
    const store = yield* Store
    return yield* store.recordOutcome(attemptId, connectionId, "done", AT)
  }).pipe(Effect.provide(storeLayer(t)), Effect.scoped))

const view = (a: WrittenAttempt) => ({ status: a.status, outcomes: a.outcomes, own: a.ownWrites })
for (const dialect of DIALECTS) {
  describe(`who wrote an attempt, on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite
    afterEach(() => { vi.restoreAllMocks() })

    test("two stores apply one outcome: both get the attempt back, only the first as its own", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("aw")
        const { attempt } = yield* store.reserve({ caseId: "case-aw", product: null })
        const sent = yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "aw-order" })
        const theirs = yield* Effect.promise(() => elsewhere(suite.t, attempt!.id, "aw-l1"))
        const again = yield* store.recordOutcome(attempt!.id, "aw-l1", "done", AT)
        const last = yield* store.recordOutcome(attempt!.id, "aw-l2", "no_data", AT)
        return { sent: view(sent), theirs: view(theirs), again: view(again), last: view(last) }
      }))
      expect(r).toEqual({
        sent: { status: "sent", outcomes: {}, own: { sent: true, outcomes: [] } },
        theirs: { status: "sent", outcomes: { "aw-l1": "done" }, own: { sent: false, outcomes: ["aw-l1"] } },
        again: { status: "sent", outcomes: { "aw-l1": "done" }, own: { sent: true, outcomes: [] } },
        last: { status: "failed", outcomes: { "aw-l1": "done", "aw-l2": "no_data" }, own: { sent: true, outcomes: ["aw-l2"] } }
      })
    })

    test("a lost reply read back: its own when it landed; not its own when another store wrote the same outcome first", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ax")
        const { attempt } = yield* store.reserve({ caseId: "case-ax", product: null })
        yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "ax-order" })
        const execute = (UpdateQueryBuilder.prototype as unknown as { executeTakeFirst: (this: Update) => Promise<UpdateResult> }).executeTakeFirst
        // 1: this store's UPDATE of l1 runs, then its reply is lost. 2: this store's UPDATE of l2
        // is cut before it runs, and another store records l2's same outcome before the read-back.
        let step = 0
        vi.spyOn(UpdateQueryBuilder.prototype, "executeTakeFirst").mockImplementation(async function(this: Update) {
          if (!/^update "attempts" set "status" = /.test(this.compile().sql) || step >= 2) return execute.call(this)
          step += 1
          if (step === 1) {
            await execute.call(this)
            throw lostReply()
          }
          await elsewhere(suite.t, attempt!.id, "ax-l2")
          throw lostReply()
        })
        const landed = yield* store.recordOutcome(attempt!.id, "ax-l1", "done", AT)
        const beaten = yield* store.recordOutcome(attempt!.id, "ax-l2", "done", AT)
        return { step, landed: view(landed), beaten: view(beaten) }
      }))
      expect(r).toEqual({
        step: 2,
        landed: { status: "sent", outcomes: { "ax-l1": "done" }, own: { sent: true, outcomes: ["ax-l1"] } },
        beaten: { status: "succeeded", outcomes: { "ax-l1": "done", "ax-l2": "done" }, own: { sent: true, outcomes: ["ax-l1"] } }
      })
    })

    test("rows written before the writers were recorded are nobody's now", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("ay")
        const { attempt } = yield* store.reserve({ caseId: "case-ay", product: null })
        yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "ay-order" })
        yield* store.recordOutcome(attempt!.id, "ay-l1", "done", AT)
        return attempt!.id
      }))
      // What a row migrated from 0016 holds: no writer.
      const { db } = openDatabase(suite.t.url, suite.t.schema !== undefined ? { schema: suite.t.schema } : {})
      await db.updateTable("attempts").set({ sent_by: null, outcome_writers: "{}" }).where("id", "=", r).execute()
      await db.destroy()
      const later = await elsewhere(suite.t, r, "ay-l1")
      expect(view(later).own).toEqual({ sent: false, outcomes: [] })
    })
  })
}
