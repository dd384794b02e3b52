/**
 * Issue 16, "completion is followed to the end", over simulated days against the in-process
 * sandbox (its manual clock is the scheduler's), SQLite, the real pass with the webhook receiver:
 *
 * - an annual case whose OAuth connection expired gets one new order (the case has no Truv user on
 *   record, so the link is a new order: Truv's 72 weekday hours, where a Bridge token's 6 h would
 *   not reach day 2); the client completes it on day 2; the order's webhook leads to its report
 *   (`via: "new-order"`, classified against the first order's), the lineage moves to the new order
 *   (new root, the new link and its token, authenticated then), the case is rescheduled a year on
 *   and the request completed; a year later the next cycle's refresh goes to the new order's
 *   connection and succeeds without the client;
 * - the same without any webhook (`run`, or webhooks lost): the next pass polls the order;
 * - a Bridge re-authentication: the link's `task-status-updated` `done` (its `tracking_info` our
 *   request key) completes the request, updates the link's authentication, stores its report.
 *
 * Every count is the sandbox's own (orders, tokens, refreshes) or the store's, asserted exactly.
 */
import { type QueuedVerification, RenewalStore, TruvGateway } from "@recert/core"
import type { Store } from "@recert/store"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { seedPreviousVerifications } from "../src/demo/previous-verifications.js"
import { SCENARIOS } from "../src/demo/scenarios.js"
import { seedDemo } from "../src/demo/seed.js"
import { RunStats } from "../src/runner/run-stats.js"
import { makeMemoryCaseProgress } from "../src/workflow/case-progress.js"
import { ClientRequests, storeClientRequests } from "../src/workflow/client-requests.js"
import { followNewOrder } from "../src/workflow/follow-request.js"
import { getStore, iso, sleepMs, sqliteDatabase, type World, worldPerTest } from "./support/world.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** A Monday: the new order's 72 weekday hours run to Thursday. */
const T0 = Date.parse("2026-11-23T09:00:00.000Z")

const worlds = worldPerTest()

const open = async (scenario: string, options: { readonly noUser?: boolean } = {}) => {
  const w = await worlds.open({ db: sqliteDatabase(), seed: 16, start: T0 })
  const base = SCENARIOS.find((s) => s.name === scenario)!
  const spec = { ...base, count: 1, ...(options.noUser === true ? { known: { ...base.known, noUser: true } } : {}) }
  const [seeded] = await w.store.run(Effect.gen(function*() {
    return yield* seedDemo(yield* getStore, w.sandbox, { now: T0, scenarios: [spec] })
  }))
  // The case starts from its first order's verification, as in production after the first cycle.
  await w.store.run(seedPreviousVerifications([seeded!]).pipe(Effect.provide(w.gateway)))
  return { w, c: seeded! }
}

const storeOf = (w: World): Promise<Store["Service"]> => w.store.run(getStore)

/** Runs one pass at the sandbox clock's now until `done` holds (checked every 20 ms) and the sandbox is idle. */
const passUntil = async (w: World, done: (stats: RunStats) => Promise<boolean>) => {
  const stats = new RunStats()
  let stop = false
  const running = w.pass({ horizonMs: DAY, stats, shouldStop: () => stop })
  const deadline = Date.now() + 60_000
  let ok = false
  while (!ok && Date.now() < deadline) {
    await sleepMs(20)
    await w.sandbox.idle()
    ok = await done(stats)
  }
  stop = true
  await running
  if (!ok) throw new Error(`pass did not get there: ${JSON.stringify(Object.fromEntries(stats.outcomes))}`)
  return stats
}

const queue = async (w: World): Promise<ReadonlyArray<QueuedVerification>> =>
  w.store.run(Effect.flatMap(getStore, (s) => s.listVerificationQueue({ includeResolved: true })))

const resolved = (w: World) => async () => (await queue(w)).every((q) => q.resolvedAt !== null)

const sandboxCounts = (w: World) => {
  const r = w.sandbox.report()
  return { orders: r.ordersCreated, tokens: r.bridgeTokensIssued, refreshes: r.refreshes.accepted, byLink: r.refreshes.acceptedByLink, canceled: r.lineagesCanceled }
}

const eventTypes = async (w: World, caseId: string) =>
  (await w.store.run(Effect.flatMap(getStore, (s) => s.listEvents({ caseId, limit: 100 })))).map((e) => e.type).reverse()

const addMonths = (ms: number, months: number) => {
  const d = new Date(ms)
  d.setUTCMonth(d.getUTCMonth() + months)
  return d.getTime()
}

describe("a client's new order, followed to the end (sandbox, SQLite)", () => {
  it("OAuth expired: one link, completed on day 2, renewed and rescheduled; the next cycle's refresh succeeds without the client", async () => {
    const { w, c } = await open("oauth-expired", { noUser: true })
    const store = await storeOf(w)
    const before = await w.store.run(store.getCase(c.caseId))
    // The client (the sandbox's, by the case's order number) completes 26 hours after the order,
    // with a new connection (a session without expiry).
    const orderNumber = (await w.store.run(store.loadSnapshot(c.caseId))).lineage.orderNumber!
    w.sandbox.scriptClient(orderNumber, { kind: "completes", afterHours: 26, connections: [{ authKind: "session", validityDays: null }] })
    // Day 1: the renewal decides re-authentication; without a Truv user, a new order.
    const first = await passUntil(w, async (s) => s.outcomes.get(c.caseId) === "new-order-queued")
    expect(first.verifications).toEqual({ "bridge-update": 0, "new-order": 1 })
    const [request] = await queue(w)
    expect(sandboxCounts(w)).toEqual({ orders: 1, tokens: 0, refreshes: 0, byLink: {}, canceled: 0 })

    // Day 2, 11:00: the client acts.
    const day2 = T0 + 26 * HOUR
    w.sandbox.clock.set(day2)
    await passUntil(w, resolved(w))
    const newLink = (await w.store.run(store.loadSnapshot(c.caseId))).lineage.connections[0]!.id
    expect(newLink).not.toBe(c.linkIds[0])
    expect(w.sandbox.client(orderNumber).requests.map((q) => [q.kind, q.id, q.outcome, q.actedAt])).toEqual([["new-order", request!.orderId, "completed", iso(day2)]])

    // The request: completed at day 2 (a client's completion, `handled` in the event's words).
    expect((await queue(w)).map((q) => [q.caseId, q.kind, q.state, q.orderId, q.resolvedAt, q.resolution]))
      .toEqual([[c.caseId, "new-order", "completed", request!.orderId, iso(day2), "handled"]])
    // The verification: the new order's report, classified against the first order's.
    const verifications = await w.store.run(store.listVerifications(c.caseId))
    expect(verifications.map((v) => [v.orderId, v.via, v.attemptId, v.verifiedAt, v.result.class, v.result.reasons.map((r) => r.code)])).toEqual([
      [c.rootOrderId, "new-order", null, c.createdAt, "review", ["baseline.none"]],
      [request!.orderId, "new-order", null, iso(day2), "renew", []]
    ])
    // The lineage moved on: the new root, its one connection, authenticated on day 2.
    const snapshot = await w.store.run(store.loadSnapshot(c.caseId))
    expect(snapshot.lineage.rootOrderId).toBe(request!.orderId)
    expect(snapshot.lineage.orders.map((o) => o.id)).toEqual([request!.orderId])
    expect(snapshot.lineage.connections.map((x) => [x.id, x.authKind, x.authenticatedAt, x.lastTaskStatus])).toEqual([[newLink, "unknown", iso(day2), "done"]])
    // Rescheduled a year on, verified on day 2.
    expect([snapshot.case.dueAt, snapshot.case.lastVerifiedAt]).toEqual([iso(addMonths(Date.parse(before.dueAt), 12)), iso(day2)])
    // The first order's verification (seeded, no baseline: review), then this request's life.
    // The tests' world reaches clients through Bridge (the agency sends the link): the request sweep's reminder is an event.
    expect(await eventTypes(w, c.caseId)).toEqual(["case.review-needed", "case.client-action-needed", "case.client-reminder-due", "case.renewed", "case.client-action-completed"])
    expect(sandboxCounts(w)).toEqual({ orders: 1, tokens: 0, refreshes: 0, byLink: {}, canceled: 0 })

    // The next cycle, a day before the new due date: refreshed through the new connection, no client.
    const nextCycle = Date.parse(snapshot.case.dueAt) - DAY
    w.sandbox.clock.set(nextCycle)
    const third = await passUntil(w, async (s) => s.outcomes.get(c.caseId) === "refreshed")
    expect(third.verifications).toEqual({ "bridge-update": 0, "new-order": 0 })
    expect(sandboxCounts(w)).toEqual({ orders: 1, tokens: 0, refreshes: 1, byLink: { [newLink]: 1 }, canceled: 0 })
    const after = await w.store.run(store.loadSnapshot(c.caseId))
    expect([after.case.dueAt, after.case.lastVerifiedAt]).toEqual([iso(addMonths(Date.parse(before.dueAt), 24)), iso(nextCycle)])
    expect((await w.store.run(store.listVerifications(c.caseId))).map((v) => [v.via, v.result.class])).toEqual([["new-order", "review"], ["new-order", "renew"], ["refresh", "renew"]])
    expect((await queue(w)).length).toBe(1)
    // The client was asked once, and acted once.
    expect(w.sandbox.client(orderNumber).counts).toEqual({
      orders: 1, tokens: 0, canceled: 0, initialMessages: 0, reminders: 0, completed: 1, reauthenticated: 0, alreadyConnected: 0, tooLate: 0, undelivered: 0, overlapping: 0
    })
  }, 120_000)

  it("no webhook (every one lost, as `run` has no receiver): the next pass polls the order and completes the request", async () => {
    const { w, c } = await open("no-data")
    await passUntil(w, async (s) => s.outcomes.get(c.caseId) === "new-order-queued")
    const [request] = await queue(w)
    const day2 = T0 + DAY
    w.sandbox.clock.set(day2)
    w.sandbox.configureFaults({ webhookLossRate: 1 })
    w.sandbox.completeOrder(request!.orderId!, [{}])
    const stats = await passUntil(w, resolved(w))
    expect((await queue(w)).map((q) => [q.state, q.resolvedAt])).toEqual([["completed", iso(day2)]])
    // The check read the new order once, then its report (counted as one report read).
    expect(stats.calls).toEqual({ "GET /v1/orders/{id}/": 1, "report (GET order + link reports)": 1 })
    const snapshot = await w.store.run((await storeOf(w)).loadSnapshot(c.caseId))
    expect(snapshot.lineage.rootOrderId).toBe(request!.orderId)
    expect(sandboxCounts(w)).toEqual({ orders: 1, tokens: 0, refreshes: 1, byLink: { [c.linkIds[0]!]: 1 }, canceled: 0 })
  }, 120_000)
})

describe("a completion and the expiry in one step (the demo's 30 completions against 28 requests completed)", () => {
  it("the client completes 2 hours before the order expires, its webhook lost: the pass at the expiry follows the order instead of expiring it; one order, the request completed", async () => {
    const { w, c } = await open("oauth-expired", { noUser: true })
    const orderNumber = (await w.store.run((await storeOf(w)).loadSnapshot(c.caseId))).lineage.orderNumber!
    w.sandbox.scriptClient(orderNumber, { kind: "completes", afterHours: 70 })
    await passUntil(w, async (s) => s.outcomes.get(c.caseId) === "new-order-queued")
    const [request] = await queue(w)
    w.sandbox.configureFaults({ webhookLossRate: 1 })
    // Monday 09:00 + 72 weekday hours: Thursday 09:00. The clock moves past it in one step: the
    // client completed at Thursday 07:00, and the pass's request sweep (at its start, before any
    // poll) finds the request past its expiry.
    w.sandbox.clock.set(Date.parse("2026-11-26T09:01:00.000Z"))
    await passUntil(w, async () => (await queue(w)).some((q) => q.resolvedAt !== null))
    expect((await queue(w)).map((q) => [q.orderId, q.state, q.resolution])).toEqual([[request!.orderId, "completed", "handled"]])
    expect(w.sandbox.client(orderNumber).requests.map((q) => [q.id, q.outcome])).toEqual([[request!.orderId, "completed"]])
    expect(sandboxCounts(w)).toEqual({ orders: 1, tokens: 0, refreshes: 0, byLink: {}, canceled: 0 })
  }, 120_000)
})

describe("a Bridge re-authentication, followed to the end (sandbox, SQLite)", () => {
  it("the client re-authenticates 2 hours after the token: the link's authentication updated, its report stored, the case rescheduled, the request completed", async () => {
    const { w, c } = await open("oauth-expired")
    const store = await storeOf(w)
    const before = await w.store.run(store.getCase(c.caseId))
    await passUntil(w, async (s) => s.outcomes.get(c.caseId) === "reauth-queued")
    const [request] = await queue(w)
    const at = T0 + 2 * HOUR
    w.sandbox.clock.set(at)
    w.sandbox.reauthenticate(c.linkIds[0]!, { bridgeToken: request!.bridgeToken! })
    await passUntil(w, resolved(w))
    expect((await queue(w)).map((q) => [q.kind, q.state, q.resolvedAt, q.resolution])).toEqual([["bridge-update", "completed", iso(at), "handled"]])
    const snapshot = await w.store.run(store.loadSnapshot(c.caseId))
    expect(snapshot.lineage.rootOrderId).toBe(c.rootOrderId)
    expect(snapshot.lineage.connections.map((x) => [x.id, x.authKind, x.authenticatedAt, x.lastTaskStatus, x.lastStatusAt])).toEqual([[c.linkIds[0], "oauth", iso(at), "done", iso(at)]])
    expect([snapshot.case.dueAt, snapshot.case.lastVerifiedAt]).toEqual([iso(addMonths(Date.parse(before.dueAt), 12)), iso(at)])
    const verifications = await w.store.run(store.listVerifications(c.caseId))
    expect(verifications.map((v) => [v.orderId, v.via, v.verifiedAt, v.result.class])).toEqual([
      [c.rootOrderId, "new-order", c.createdAt, "review"],
      [request!.requestKey, "reauthentication", iso(at), "renew"]
    ])
    // The first order's verification (seeded, no baseline: review), then this request's life.
    // The tests' world reaches clients through Bridge (the agency sends the link): the request sweep's reminder is an event.
    expect(await eventTypes(w, c.caseId)).toEqual(["case.review-needed", "case.client-action-needed", "case.client-reminder-due", "case.renewed", "case.client-action-completed"])
    expect(sandboxCounts(w)).toEqual({ orders: 0, tokens: 1, refreshes: 0, byLink: {}, canceled: 0 })
  }, 120_000)
})

describe("an already connected client (sandbox, SQLite)", () => {
  it("the new order's employer is the case's own link: the new order canceled, the request completed, the case renewed now, the lineage kept", async () => {
    const { w, c } = await open("no-data")
    await passUntil(w, async (s) => s.outcomes.get(c.caseId) === "new-order-queued")
    const [request] = await queue(w)
    const day2 = T0 + DAY
    w.sandbox.clock.set(day2)
    const store = await storeOf(w)
    const real = await w.store.run(Effect.gen(function*() {
      return yield* TruvGateway
    }).pipe(Effect.provide(w.gateway)))
    // Bridge showed "Already Connected": Truv attached the client's existing link to the new order.
    const gateway: TruvGateway["Service"] = {
      ...real,
      getOrder: (id) => Effect.map(real.getOrder(id), (o) => id !== request!.orderId ? o : {
        ...o, suborders: [{ id: "sub-1", suborderNumber: "1", linkId: c.linkIds[0]!, status: "completed", kind: "employer" as const }]
      })
    }
    const progress = makeMemoryCaseProgress()
    const renewal = await w.store.run(Effect.gen(function*() {
      return yield* RenewalStore
    }))
    const followed = await w.store.run(followNewOrder(request!).pipe(
      Effect.provide(progress.layer), Effect.provideService(RenewalStore, renewal), Effect.provideService(TruvGateway, gateway),
      Effect.provideService(ClientRequests, storeClientRequests(store))
    ))
    expect(followed).toEqual({ kind: "completed", caseId: c.caseId, requestId: request!.id, how: "already-connected", class: null })
    expect((await queue(w)).map((q) => [q.state, q.resolvedAt])).toEqual([["completed", iso(day2)]])
    expect(progress.renewals).toEqual([{ caseId: c.caseId, runAt: iso(day2) }])
    const snapshot = await w.store.run(store.loadSnapshot(c.caseId))
    expect(snapshot.lineage.rootOrderId).toBe(c.rootOrderId)
    expect(snapshot.lineage.connections.map((x) => [x.id, x.lastTaskStatus, x.lastStatusAt])).toEqual([[c.linkIds[0], "done", iso(day2)]])
    expect((await w.store.run(store.listVerifications(c.caseId))).length).toBe(1)
    // Canceled at Truv; one order, one refresh (the first, no_data), nothing more.
    expect(sandboxCounts(w)).toEqual({ orders: 1, tokens: 0, refreshes: 1, byLink: { [c.linkIds[0]!]: 1 }, canceled: 1 })
  }, 120_000)
  it("Bridge says \"Already Connected\" (the new order's employer skipped): the new order canceled, the original order refreshed at once", async () => {
    const { w, c } = await open("no-data")
    const store = await storeOf(w)
    const orderNumber = (await w.store.run(store.loadSnapshot(c.caseId))).lineage.orderNumber!
    w.sandbox.scriptClient(orderNumber, { requests: [{ kind: "already-connected", afterHours: 5 }, { kind: "never" }] })
    await passUntil(w, async (s) => s.outcomes.get(c.caseId) === "new-order-queued")
    const [request] = await queue(w)
    const at = T0 + 5 * HOUR
    w.sandbox.clock.set(at)
    // The skipped employer's webhook: the request completed, the case renewed now: refreshed again
    // (the provider still has no data, so a second new order is asked; the state machine bounds that).
    await passUntil(w, async (s) => (await queue(w)).length === 2 && s.outcomes.get(c.caseId) === "new-order-queued")
    const all = await queue(w)
    expect(all.map((q) => [q.orderId === request!.orderId, q.state, q.resolvedAt, q.createdAt])).toEqual([
      [true, "completed", iso(at), iso(T0)],
      [false, "created", null, iso(at)]
    ])
    expect(w.sandbox.client(orderNumber).requests.map((q) => [q.kind, q.outcome])).toEqual([["new-order", "already-connected"], ["new-order", "never"]])
    expect(sandboxCounts(w)).toEqual({ orders: 2, tokens: 0, refreshes: 2, byLink: { [c.linkIds[0]!]: 2 }, canceled: 1 })
  }, 120_000)
})
