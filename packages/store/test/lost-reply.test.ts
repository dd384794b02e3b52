/**
 * An attempt's write whose reply is lost (issue 15, chaos `postgres`): a connection cut after the
 * UPDATE committed (pg_terminate_backend, a restart) made the call fail with a retryable
 * `unavailable` `StoreError` although the row was written, so no caller learnt the write. The
 * call now reads the row back once the database answers and returns its own write (stamped with
 * its `updated_at`); a write cut before it ran is made on the next try. On every dialect; the
 * fault is kysely's UPDATE of `attempts` throwing pg's 57P01 after (or instead of) running. And
 * on Postgres, a verification intent settled `created` whose COMMIT's reply is lost (the
 * workers count links queued from that call's answer): true, once, one event.
 */
import { Effect } from "effect"
import { TransactionBuilder, UpdateQueryBuilder, type UpdateResult } from "kysely"
import { afterEach, describe, expect, vi } from "vitest"
import { Store } from "../src/index.js"
import { DIALECTS, postgres, useTestDatabase } from "./support/dialects.js"
import { HOUR, NOW, run, seed } from "./support/fixtures.js"

/** An UPDATE as kysely builds it (the spied method's receiver). */
type Update = UpdateQueryBuilder<never, never, never, UpdateResult>

const lostReply = () => Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })

/** The next `n` UPDATEs of an attempt's status: `after` runs each then loses its reply; `before` fails it unrun. */
const cutAttemptUpdates = (n: number, when: "after" | "before") => {
  const execute = (UpdateQueryBuilder.prototype as unknown as { executeTakeFirst: (this: Update) => Promise<UpdateResult> }).executeTakeFirst
  let left = n
  vi.spyOn(UpdateQueryBuilder.prototype, "executeTakeFirst").mockImplementation(async function(this: Update) {
    const ours = left > 0 && /^update "attempts" set "status" = /.test(this.compile().sql)
    if (ours && when === "before") {
      left -= 1
      throw lostReply()
    }
    const result = await execute.call(this)
    if (ours) {
      left -= 1
      throw lostReply()
    }
    return result
  })
}

for (const dialect of DIALECTS) {
  describe(`an attempt's write whose reply is lost, on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite
    afterEach(() => { vi.restoreAllMocks() })

    test("committed, reply lost: transitionAttempt and recordOutcome return their own write, written once", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("lr")
        const { attempt } = yield* store.reserve({ caseId: "case-lr", product: null })
        cutAttemptUpdates(3, "after")
        const sent = yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "lr-order" })
        const first = yield* store.recordOutcome(attempt!.id, "lr-l1", "done", "2026-11-22T10:05:00.000Z")
        const last = yield* store.recordOutcome(attempt!.id, "lr-l2", "no_data", "2026-11-22T10:06:00.000Z")
        const ledger = yield* store.ledgerForCase("case-lr")
        return { sent: [sent.status, sent.orderId], first: [first.status, first.outcomes], last: [last.status, last.outcomes], ledger: ledger.map((a) => [a.status, a.outcomes]) }
      }))
      expect(r).toEqual({
        sent: ["sent", "lr-order"],
        first: ["sent", { "lr-l1": "done" }],
        last: ["failed", { "lr-l1": "done", "lr-l2": "no_data" }],
        ledger: [["failed", { "lr-l1": "done", "lr-l2": "no_data" }]]
      })
    })

    test("committed, reply lost, and another write landed before the read-back: still its own write (sent → sent is not tried again)", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("lo")
        const { attempt } = yield* store.reserve({ caseId: "case-lo", product: null })
        // The `sent` UPDATE commits; before its caller reads the row back, the inbox records an
        // outcome on it (another write, later stamp); then the reply is lost.
        const execute = (UpdateQueryBuilder.prototype as unknown as { executeTakeFirst: (this: Update) => Promise<UpdateResult> }).executeTakeFirst
        let cut = false
        vi.spyOn(UpdateQueryBuilder.prototype, "executeTakeFirst").mockImplementation(async function(this: Update) {
          const result = await execute.call(this)
          if (!cut && /^update "attempts" set "status" = /.test(this.compile().sql)) {
            cut = true
            await Effect.runPromise(store.recordOutcome(attempt!.id, "lo-l1", "done", "2026-11-22T10:05:00.000Z"))
            throw lostReply()
          }
          return result
        })
        const sent = yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "lo-order" })
        return { sent: [sent.status, sent.orderId, sent.outcomes], ledger: (yield* store.ledgerForCase("case-lo")).map((a) => [a.status, a.orderId, a.outcomes]) }
      }))
      expect(r).toEqual({ sent: ["sent", "lo-order", { "lo-l1": "done" }], ledger: [["sent", "lo-order", { "lo-l1": "done" }]] })
    })

    test("cut before it ran: the write is made on the next try", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* seed("lb")
        const { attempt } = yield* store.reserve({ caseId: "case-lb", product: null })
        cutAttemptUpdates(1, "before")
        const sent = yield* store.transitionAttempt(attempt!.id, "sent", { orderId: "lb-order" })
        return { sent: [sent.status, sent.orderId], ledger: (yield* store.ledgerForCase("case-lb")).map((a) => [a.status, a.orderId]) }
      }))
      expect(r).toEqual({ sent: ["sent", "lb-order"], ledger: [["sent", "lb-order"]] })
    })
  })
}

describe("a verification intent settled created whose commit's reply is lost, on Postgres", () => {
  const suite = useTestDatabase(postgres)
  const { test } = suite
  afterEach(() => { vi.restoreAllMocks() })

  test("the settlement returns true (the row holds the order Truv gave this call), once; its event written once", async () => {
    const r = await run(suite.t, Effect.gen(function*() {
      const store = yield* Store
      yield* seed("ls")
      const { claimed } = yield* store.claimVerifications({ caseId: "case-ls", attemptId: "att-ls", leaseMs: HOUR, plan: () => [
        { caseId: "case-ls", kind: "new-order", connectionIds: ["ls-l1"], reason: "connection.no-data", detail: "no_data", createdAt: new Date(NOW).toISOString() }
      ] })
      const { request: q, claim } = claimed[0]!
      yield* store.markVerificationSent(q.id, claim, HOUR)
      // The next transaction commits, then its reply is lost.
      const execute = (TransactionBuilder.prototype as unknown as { execute: (this: unknown, fn: unknown) => Promise<unknown> }).execute
      let cut = 0
      vi.spyOn(TransactionBuilder.prototype, "execute").mockImplementation(async function(this: unknown, fn: unknown) {
        const result = await execute.call(this, fn)
        if (cut++ === 0) throw lostReply()
        return result
      })
      const settlement = { outcome: "created", bridgeToken: null, shareUrl: "https://truv.example/share/ls", orderId: "new-ls" } as const
      const settled = [yield* store.settleVerification(q.id, settlement), yield* store.settleVerification(q.id, settlement)]
      vi.restoreAllMocks()
      const events = yield* store.listEvents({ caseId: "case-ls", limit: 100 })
      const queue = yield* store.listVerificationQueue({ includeResolved: true })
      return { cut, settled, events: events.map((e) => e.type), queue: queue.filter((x) => x.caseId === "case-ls").map((x) => [x.state, x.orderId]) }
    }))
    expect(r).toEqual({ cut: 2, settled: [true, false], events: ["case.client-action-needed"], queue: [["created", "new-ls"]] })
  })
})
