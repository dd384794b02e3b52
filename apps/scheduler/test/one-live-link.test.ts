/**
 * Issue 16, "exactly once": a client holds one live link per renewal, never two. The client chaos
 * run (truv-sends seed 3) found clients who completed two requests for one renewal; each way a
 * second link could be made while the first was still live is reproduced here, deterministically
 * (the sandbox's manual clock is the scheduler's; SQLite; the real workflow), and counted by the
 * sandbox (`client(n).counts.overlapping`: a request made while an earlier one of the client could
 * still be acted on; `completed`, `reauthenticated`):
 *
 * - an intent whose claimant died before Truv made the order, sent by the next renewal a day
 *   later: Truv's order lives 72 weekday hours from then, so the request's life restarts at the
 *   send (`markVerificationSent`); it was counted from the intent and expired a day early, while
 *   the client still held the order;
 * - the request expiring here while Truv still holds the order open (an account whose Dashboard
 *   sets a longer expiry, clocks apart): the order is canceled at Truv before it is replaced;
 * - a Bridge re-authentication whose webhook was lost: found at the token's expiry from the link's
 *   report (`finished_at` after the request), the request completed, no second token;
 * - the client completing request A while another worker renews the case on a snapshot read
 *   before: the claim reads the case's verification in its transaction and asks nothing.
 */
import { type QueuedVerification, RenewalStore, TruvGateway } from "@recert/core"
import { openDatabase, type Store } from "@recert/store"
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo, type SeededCase } from "../src/demo/seed.js"
import { type CaseProgress, makeMemoryCaseProgress } from "../src/workflow/case-progress.js"
import { ClientRequests, storeClientRequests } from "../src/workflow/client-requests.js"
import { followNewOrder } from "../src/workflow/follow-request.js"
import { renewCase } from "../src/workflow/renew-case.js"
import { sweepRequests } from "../src/workflow/request-sweep.js"
import { getStore, iso, sqliteDatabase, type TestDatabase, type World, worldPerTest } from "./support/world.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** A Monday: a new order made now expires Thursday 09:00 (72 weekday hours). */
const T0 = Date.parse("2026-11-23T09:00:00.000Z")
const KILLED = "SIGKILL (simulated)"

const worlds = worldPerTest()

interface Opened {
  readonly w: World
  readonly c: SeededCase
  readonly store: Store["Service"]
  readonly db: TestDatabase
  readonly orderNumber: string
  /** Runs `e` as a worker does: the store, Truv (or `truv`), case progress in memory, the client-request ops. */
  readonly run: <A, E>(e: Effect.Effect<A, E, RenewalStore | TruvGateway | CaseProgress | ClientRequests>, truv?: TruvGateway["Service"]) => Promise<A>
}

const open = async (scenario: string, reach: "bridge" | "truv-sends" = "bridge"): Promise<Opened> => {
  const db = sqliteDatabase()
  const w = await worlds.open({ db, seed: 16, start: T0, reach })
  const [c] = await w.store.run(Effect.gen(function*() {
    return yield* seedDemo(yield* getStore, w.sandbox, { now: T0, scenarios: [{ ...SCENARIOS.find((s) => s.name === scenario)!, count: 1 }] })
  }))
  const store = await w.store.run(getStore)
  // Where the case goes next is written to the store, as a worker's (`storeCaseProgress`) is.
  const progress = makeMemoryCaseProgress((caseId, nextDueAt, lastVerifiedAt) => store.rescheduleCase(caseId, nextDueAt, lastVerifiedAt))
  const run: Opened["run"] = async (e, truv) => {
    const withTruv = truv === undefined ? e.pipe(Effect.provide(w.gateway)) : e.pipe(Effect.provideService(TruvGateway, truv))
    return w.store.run(withTruv.pipe(Effect.provide(progress.layer), Effect.provideService(ClientRequests, storeClientRequests(store))))
  }
  const orderNumber = (await w.store.run(store.loadSnapshot(c!.caseId))).lineage.orderNumber!
  return { w, c: c!, store, db, orderNumber, run }
}

const requests = async (o: Opened): Promise<ReadonlyArray<QueuedVerification>> =>
  o.w.store.run(o.store.listVerificationQueue({ includeResolved: true }))

/** What the sandbox's client of the case was asked and did. */
const client = (o: Opened) => {
  const c = o.w.sandbox.client(o.orderNumber)
  return { orders: c.counts.orders, tokens: c.counts.tokens, canceled: c.counts.canceled, overlapping: c.counts.overlapping, completed: c.counts.completed, reauthenticated: c.counts.reauthenticated }
}

const realTruv = (o: Opened) => o.run(Effect.gen(function*() {
  return yield* TruvGateway
}))

describe("one live link per renewal (issue 16, exactly once)", () => {
  it("an intent whose claimant died before the call, sent a day later: its life counts from the send; at the intent's 72 weekday hours nothing is replaced, one order, completed once", async () => {
    const o = await open("no-user")
    o.w.sandbox.scriptClient(o.orderNumber, { kind: "completes", afterHours: 60 })
    const real = await realTruv(o)
    // The worker dies between marking the intent sent and the POST (Truv made nothing).
    const exit = await o.run(Effect.exit(renewCase(o.c.caseId)), { ...real, createOrder: () => Effect.die(KILLED) })
    expect(Exit.isFailure(exit)).toBe(true)
    expect([client(o).orders, (await requests(o)).map((q) => q.state)]).toEqual([0, ["intent"]])

    // The next day's renewal completes the intent: Truv shows no order under its key, so it is sent now.
    o.w.sandbox.clock.set(T0 + 24 * HOUR)
    await o.run(renewCase(o.c.caseId))
    const [sent] = await requests(o)
    expect([sent!.state, sent!.createdAt, client(o).orders]).toEqual(["created", iso(T0 + 24 * HOUR), 1])
    const life = (await o.w.store.run(o.store.caseRequests(o.c.caseId))).map((r) => [r.state, r.expiresAt])
    // Friday 09:00: 72 weekday hours from the send, as Truv's order (not Thursday, from the intent).
    expect(life).toEqual([["sent", "2026-11-27T09:00:00.000Z"]])

    // Thursday 09:01, the sweep and the renewal: nothing expires, nothing is asked.
    o.w.sandbox.clock.set(T0 + 72 * HOUR + MINUTE)
    await o.run(sweepRequests())
    await o.run(renewCase(o.c.caseId))
    // Thursday 21:00 the client completes its one order; the completion is followed.
    o.w.sandbox.clock.set(T0 + 84 * HOUR)
    const [pending] = await requests(o)
    expect((await o.run(followNewOrder(pending!))).kind).toBe("completed")
    expect(client(o)).toEqual({ orders: 1, tokens: 0, canceled: 0, overlapping: 0, completed: 1, reauthenticated: 0 })
    expect((await requests(o)).map((q) => q.state)).toEqual(["completed"])
  })

  it("the request expires here while Truv still holds the order open (a longer expiry at Truv): the order is canceled there before the replacement", async () => {
    const o = await open("no-user")
    o.w.sandbox.scriptClient(o.orderNumber, { kind: "never" })
    await o.run(renewCase(o.c.caseId))
    const [first] = await requests(o)
    // Here the request expires Wednesday 09:00; Truv's order lives to Thursday 09:00.
    const { db } = openDatabase(o.db.url)
    try {
      await db.updateTable("verification_queue").set({ expires_at: T0 + 48 * HOUR, next_due_at: T0 + 48 * HOUR }).where("id", "=", first!.id).execute()
    } finally {
      await db.destroy()
    }
    o.w.sandbox.clock.set(T0 + 48 * HOUR + MINUTE)
    const swept = await o.run(sweepRequests())
    expect([swept.expired, swept.replaced]).toEqual([1, 1])
    // One order canceled at Truv, its replacement the client's only live link.
    expect(client(o)).toEqual({ orders: 2, tokens: 0, canceled: 1, overlapping: 0, completed: 0, reauthenticated: 0 })
    const order = await o.run(Effect.flatMap(TruvGateway, (t) => t.getOrder(first!.orderId!)))
    expect(order.canceledAt).toBe(iso(T0 + 48 * HOUR + MINUTE))
    expect((await requests(o)).map((q) => [q.id === first!.id, q.state, q.resolution])).toEqual([[true, "created", "expired"], [false, "created", null]])
  })

  it("a Bridge re-authentication whose webhook was lost is found at the token's expiry: the request completed, the link's authentication updated, no second token", async () => {
    const o = await open("known-login-error")
    o.w.sandbox.scriptClient(o.orderNumber, { kind: "reauthenticates", afterHours: 2 })
    o.w.sandbox.configureFaults({ webhookLossRate: 1 })
    await o.run(renewCase(o.c.caseId))
    expect(client(o).tokens).toBe(1)
    // The token's 6 h are over; the client re-authenticated at +2 h, its task-status-updated lost.
    o.w.sandbox.clock.set(T0 + 6 * HOUR + MINUTE)
    const swept = await o.run(sweepRequests())
    expect([swept.expired, swept.replaced]).toEqual([0, 0])
    expect((await requests(o)).map((q) => [q.kind, q.state, q.resolution])).toEqual([["bridge-update", "completed", "handled"]])
    const snapshot = await o.w.store.run(o.store.loadSnapshot(o.c.caseId))
    expect(snapshot.lineage.connections.map((c) => [c.id, c.authenticatedAt, c.lastTaskStatus])).toEqual([[o.c.linkIds[0], iso(T0 + 2 * HOUR), "done"]])
    expect((await o.w.store.run(o.store.listVerifications(o.c.caseId))).map((v) => v.via)).toContain("reauthentication")
    // The next renewal asks nothing: the case was re-verified.
    await o.run(renewCase(o.c.caseId))
    expect(client(o)).toEqual({ orders: 0, tokens: 1, canceled: 0, overlapping: 0, completed: 0, reauthenticated: 1 })
  })

  it("the client completes request A while another worker renews the case on a snapshot read before: the claim sees the case verified and asks nothing", async () => {
    const o = await open("no-user")
    o.w.sandbox.scriptClient(o.orderNumber, { kind: "completes", afterHours: 10 })
    await o.run(renewCase(o.c.caseId))
    const [a] = await requests(o)
    // A worker reads the case (its due-case stream) ...
    const stale = await o.w.store.run(o.store.loadSnapshot(o.c.caseId))
    o.w.sandbox.clock.set(T0 + 10 * HOUR)
    const renewal = await o.w.store.run(Effect.gen(function*() {
      return yield* RenewalStore
    }))
    // ... and renews it; between its reservation and its claim another worker follows A's completion.
    const racing: RenewalStore["Service"] = {
      ...renewal,
      claimVerifications: (input) => Effect.andThen(
        Effect.promise(() => o.run(followNewOrder(a!))),
        renewal.claimVerifications(input)
      )
    }
    const r = await o.run(renewCase(o.c.caseId, stale).pipe(Effect.provideService(RenewalStore, racing)))
    expect(r.outcome).toBe("nothing")
    o.w.sandbox.clock.set(T0 + 48 * HOUR)
    expect(client(o)).toEqual({ orders: 1, tokens: 0, canceled: 0, overlapping: 0, completed: 1, reauthenticated: 0 })
    expect((await requests(o)).map((q) => q.state)).toEqual(["completed"])
  })
})
