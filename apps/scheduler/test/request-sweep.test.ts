/**
 * The request sweep on the in-memory store and Truv, with the TestClock: who reminds (a Bridge
 * token's reminder and an agency-sent link's are the agency's: events; a link Truv sends is
 * reminded by Truv: recorded), a sweep run again at the same instant changes nothing, and a
 * Bridge request (6 h) expired, replaced twice, then escalated: three tokens at Truv, then none,
 * whether the sweep or a renewal asks.
 */
import { ClientReach, InMemoryTruvGateway, type ReachMode, RenewalStore } from "@recert/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { queueVerification } from "../src/workflow/queue-verification.js"
import { type NewOrderReach, sweepRequests } from "../src/workflow/request-sweep.js"
import { HOUR, iso, sweepWorld, T0 } from "./support/sweep-case.js"

const world = sweepWorld

const ask = (kind: "bridge-update" | "new-order") => Effect.gen(function*() {
  const snapshot = yield* (yield* RenewalStore).loadSnapshot("case-1")
  return yield* queueVerification(snapshot, { kind, connectionIds: ["link-1"], reason: "connection.auth-expired", detail: "OAuth expired" })
})
const sweepAt = (at: number, reach?: NewOrderReach) => Effect.andThen(TestClock.setTime(at), sweepRequests(reach === undefined ? {} : { newOrderReach: reach }))
const truvCalls = Effect.gen(function*() {
  return (yield* InMemoryTruvGateway).calls().map((c) => c.name)
})

describe("request sweep", () => {
  it("a Bridge token: reminded through the agency 4 h before expiry, once; expired, replaced twice, escalated; nothing asked after", async () => {
    const r = await Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* ask("bridge-update")
      const steps = []
      for (const h of [1, 2, 2, 6, 8, 12, 14, 18, 24]) steps.push([h, yield* sweepAt(T0 + h * HOUR)] as const)
      const again = yield* ask("bridge-update")
      const requests = yield* (yield* RenewalStore).caseRequests("case-1")
      return { steps, again, calls: yield* truvCalls, requests }
      // Bridge tokens are asked only where the deployment reaches its clients through Bridge.
    }).pipe(Effect.provide(world()), Effect.provideService(ClientReach, "bridge")))
    const nonzero = r.steps.map(([h, c]) => [h, Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`).join(" ")])
    expect(nonzero).toEqual([
      [1, ""], [2, "reminderEvents=1"], [2, ""], [6, "expired=1 replaced=1"], [8, "reminderEvents=1"],
      [12, "expired=1 replaced=1"], [14, "reminderEvents=1"], [18, "escalated=1"], [24, ""]
    ])
    expect(r.again).toEqual({ kind: "bridge-update", created: 0, alreadyQueuedAt: null, superseded: 0, escalated: true })
    // Before each expiry Truv is asked whether the link was re-authenticated (the link's report; issue 16): it was not.
    expect(r.calls).toEqual(["createBridgeToken", "linkState", "createBridgeToken", "linkState", "createBridgeToken", "linkState"])
    expect(r.requests.map((q) => [q.state, q.reminders, q.createdAt, q.expiresAt])).toEqual([
      ["expired", 1, iso(T0), iso(T0 + 6 * HOUR)], ["expired", 1, iso(T0 + 6 * HOUR), iso(T0 + 12 * HOUR)], ["escalated", 1, iso(T0 + 12 * HOUR), iso(T0 + 18 * HOUR)]
    ])
  })

  it("a new order: Truv's reminders recorded when Truv sends the link, events when the agency does", async () => {
    const run = (reach: NewOrderReach) => Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* ask("new-order")
      const counts = []
      for (const at of ["2026-11-24T09:00:00.000Z", "2026-11-25T09:00:00.000Z", "2026-11-26T05:00:00.000Z"]) counts.push(yield* sweepAt(Date.parse(at), reach))
      return counts.map((c) => [c.truvReminders, c.reminderEvents])
    }).pipe(Effect.provide(world())))
    expect(await run("truv-sends")).toEqual([[1, 0], [1, 0], [1, 0]])
    expect(await run("agency-sends")).toEqual([[0, 1], [0, 1], [0, 1]])
  })

  it("without an explicit reach, the deployment's (core's ClientReach) decides who reminds: Truv under truv-sends, the agency under agency-sends and bridge", async () => {
    const run = (mode: ReachMode | null) => Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* ask("new-order")
      const c = yield* sweepAt(Date.parse("2026-11-24T09:00:00.000Z"))
      return [c.truvReminders, c.reminderEvents]
    }).pipe(Effect.provide(world()), mode === null ? (e) => e : Effect.provideService(ClientReach, mode)))
    expect(await run(null)).toEqual([1, 0])
    expect(await run("truv-sends")).toEqual([1, 0])
    expect(await run("agency-sends")).toEqual([0, 1])
    expect(await run("bridge")).toEqual([0, 1])
  })
})
