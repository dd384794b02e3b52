/**
 * The claimed webhook inbox, on every dialect: concurrent claimers never get the same event,
 * expired leases come back, completion is fenced to the live lease holder.
 */
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { Store } from "../src/index.js"
import { DIALECTS, useTestDatabase } from "./support/dialects.js"
import { run } from "./support/fixtures.js"

const event = (i: number) => ({
  webhookId: `wh-${String(i).padStart(3, "0")}`, eventType: "order-status-updated", body: `{"n":${i}}`,
  receivedAt: "2026-11-22T10:00:00.000Z", updatedAt: new Date(Date.parse("2026-11-22T09:00:00.000Z") + i * 1000).toISOString()
})

for (const dialect of DIALECTS) {
  describe(`claimed webhook inbox on ${dialect.name}`, () => {
    const suite = useTestDatabase(dialect)
    const { test } = suite

    test("concurrent claimers never get the same event, and together get every event once", async () => {
      const claimed = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        for (let i = 0; i < 80; i++) yield* store.insertWebhookEvent(event(i))
        const claimer = (workerId: string) => Effect.gen(function*() {
          const mine: Array<string> = []
          for (;;) {
            const events = yield* store.claimWebhookEvents({ workerId, limit: 3, leaseMs: 60_000 })
            if (events.length === 0) return mine
            for (const e of events) {
              expect(e.lockedBy).toBe(workerId)
              expect(e.claims).toBe(1)
              mine.push(e.webhookId)
              yield* store.completeWebhookEvent(e.webhookId, workerId, "ok")
            }
          }
        })
        const all = (yield* Effect.all(["a", "b", "c", "d"].map(claimer), { concurrency: "unbounded" })).flat()
        expect(yield* store.pendingWebhookEvents(100)).toEqual([])
        return all
      }))
      expect(claimed.length).toBe(80)
      expect(new Set(claimed).size).toBe(80)
    })

    test("a claim takes the oldest updatedAt first and skips live leases; an expired lease is claimable again", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        for (const i of [502, 500, 501]) yield* store.insertWebhookEvent(event(i))
        const first = yield* store.claimWebhookEvents({ workerId: "w1", limit: 2, leaseMs: 30_000 })
        const second = yield* store.claimWebhookEvents({ workerId: "w2", limit: 10, leaseMs: 30_000 })
        const whileLive = yield* store.claimWebhookEvents({ workerId: "w3", limit: 10, leaseMs: 30_000 })
        yield* TestClock.adjust("30 seconds")
        const afterExpiry = yield* store.claimWebhookEvents({ workerId: "w3", limit: 10, leaseMs: 30_000 })
        return { first, second, whileLive, afterExpiry }
      }))
      expect(r.first.map((e) => e.webhookId)).toEqual(["wh-500", "wh-501"])
      expect(r.first[0]!.lockedUntil).toBe("2026-11-22T10:00:30.000Z")
      expect(r.second.map((e) => e.webhookId)).toEqual(["wh-502"])
      expect(r.whileLive).toEqual([])
      expect(r.afterExpiry.map((e) => [e.webhookId, e.lockedBy, e.claims])).toEqual([["wh-500", "w3", 2], ["wh-501", "w3", 2], ["wh-502", "w3", 2]])
    })

    test("completion is fenced to the live lease holder: others, expired holders and a second completion get LeaseLost", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        yield* store.insertWebhookEvent(event(900))
        yield* store.insertWebhookEvent(event(901))
        const [e900] = yield* store.claimWebhookEvents({ workerId: "w1", limit: 1, leaseMs: 10_000 })
        const stranger = yield* Effect.exit(store.completeWebhookEvent(e900!.webhookId, "w2", "stolen"))
        yield* TestClock.adjust("10 seconds")
        const expired = yield* Effect.exit(store.completeWebhookEvent("wh-900", "w1", "late"))
        const [again] = yield* store.claimWebhookEvents({ workerId: "w2", limit: 1, leaseMs: 10_000 })
        yield* store.completeWebhookEvent("wh-900", "w2", "applied")
        const twice = yield* Effect.exit(store.completeWebhookEvent("wh-900", "w2", "again"))
        const [e901] = yield* store.claimWebhookEvents({ workerId: "w1", limit: 1, leaseMs: 10_000 })
        yield* store.releaseWebhookEvent("wh-901", "w1")
        const [released] = yield* store.claimWebhookEvents({ workerId: "w2", limit: 1, leaseMs: 10_000 })
        const pending = yield* store.pendingWebhookEvents(10)
        return { stranger, expired, again, twice, e901, released, pending }
      }))
      for (const exit of [r.stranger, r.expired, r.twice]) {
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isFailure(exit)) expect(JSON.stringify(exit.cause)).toContain("LeaseLost")
      }
      expect(r.again?.webhookId).toBe("wh-900")
      expect(r.e901?.webhookId).toBe("wh-901")
      expect([r.released?.webhookId, r.released?.claims]).toEqual(["wh-901", 2])
      // wh-900 was processed once, by its live holder (the previous test's events, still leased, are pending too).
      expect(r.pending.map((e) => e.webhookId).filter((id) => id.startsWith("wh-9"))).toEqual(["wh-901"])
    })

    test("a deferred event waits unprocessed (with its note), is not claimable nor ready before `until`, and a wake offers it at once (issue 15)", async () => {
      const r = await run(suite.t, Effect.gen(function*() {
        const store = yield* Store
        const ids = (events: ReadonlyArray<{ readonly webhookId: string }>) => events.map((e) => e.webhookId).filter((id) => id.startsWith("wh-7"))
        yield* store.insertWebhookEvent(event(700))
        yield* store.insertWebhookEvent(event(701))
        yield* store.claimWebhookEvents({ workerId: "w1", limit: 100, leaseMs: 60_000 })
        const stranger = yield* Effect.exit(store.deferWebhookEvent("wh-700", "w2", "2026-11-22T10:00:05.000Z", "waiting: stolen"))
        yield* store.deferWebhookEvent("wh-700", "w1", "2026-11-22T10:00:05.000Z", "waiting: for attempt att-1")
        yield* store.deferWebhookEvent("wh-701", "w1", "2026-11-22T10:05:00.000Z", "waiting: for attempt att-2")
        const pending = ids(yield* store.pendingWebhookEvents(100))
        const ready = ids(yield* store.pendingWebhookEvents(100, { includeWaiting: false }))
        const note = (yield* store.pendingWebhookEvents(100)).find((e) => e.webhookId === "wh-700")?.result
        const early = ids(yield* store.claimWebhookEvents({ workerId: "w2", limit: 100, leaseMs: 60_000 }))
        yield* TestClock.adjust("5 seconds")
        const readyAt5 = ids(yield* store.pendingWebhookEvents(100, { includeWaiting: false }))
        const at5 = yield* store.claimWebhookEvents({ workerId: "w2", limit: 100, leaseMs: 60_000 })
        const woken = yield* store.wakeWaitingWebhookEvents()
        const afterWake = ids(yield* store.claimWebhookEvents({ workerId: "w3", limit: 100, leaseMs: 60_000 }))
        return { stranger, pending, ready, note, early, readyAt5, at5: at5.filter((e) => e.webhookId.startsWith("wh-7")).map((e) => [e.webhookId, e.claims]), woken, afterWake }
      }))
      expect(Exit.isFailure(r.stranger)).toBe(true)
      expect([r.pending, r.ready, r.note, r.early]).toEqual([["wh-700", "wh-701"], [], "waiting: for attempt att-1", []])
      // At its `until`, wh-700 is ready and claimable again (its second claim); wh-701 still waits until woken.
      expect([r.readyAt5, r.at5, r.woken, r.afterWake]).toEqual([["wh-700"], [["wh-700", 2]], 1, ["wh-701"]])
    })
  })
}
