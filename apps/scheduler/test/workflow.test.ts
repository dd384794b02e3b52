/**
 * The workflow against core's in-memory ports: one case renewed, one webhook event processed,
 * an unknown attempt reconciled, each failure of the refresh call acted on. Time is TestClock.
 */
import {
  type CaseInput, InMemoryRenewalStore, InMemoryTruvGateway, Lineage, type LineageInput, RefreshLimitExceeded, Transport,
  type TruvBehaviour, type AttemptInput
} from "@recert/core"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { followUp } from "../src/workflow/apply-outcome.js"
import { makeMemoryFollowUps } from "../src/workflow/follow-up-port.js"
import { processWebhookBody } from "../src/workflow/process-webhook.js"
import { pollAttempt, reconcileAttempt } from "../src/workflow/reconcile.js"
import { renewCase } from "../src/workflow/renew-case.js"

const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

const lineage = (over: Partial<LineageInput["connections"][number]> = {}, userId: string | null = "user-1"): LineageInput => ({
  rootOrderId: "ord-1", orderType: "income", orderNumber: "4138538", userId,
  orders: [{ id: "ord-1", parentId: null, createdAt: iso(NOW - 250 * DAY) }],
  connections: [{ id: "link-1", suborderId: "emp-1", provider: "adp", authKind: "oauth", authenticatedAt: iso(NOW - 20 * DAY), ...over }]
})
const kase: CaseInput = { id: "case-1", dueAt: iso(NOW + 5 * DAY), cycle: "annual", rootOrderId: "ord-1" }

const setup = (options: {
  kase?: CaseInput
  lineage?: LineageInput
  behaviour?: TruvBehaviour
  failures?: Parameters<typeof InMemoryTruvGateway.layer>[0] extends infer O ? O extends { failures?: infer F } ? F : never : never
  ledger?: ReadonlyArray<AttemptInput>
} = {}) => {
  const l = options.lineage ?? lineage()
  const followUps = makeMemoryFollowUps()
  const layer = Layer.mergeAll(
    InMemoryRenewalStore.layer({ cases: [options.kase ?? kase], lineages: [l], ledger: options.ledger ?? [], accessTokens: { "link-1": "token-1" } }),
    InMemoryTruvGateway.layer({
      lineages: [l], behaviours: { "link-1": options.behaviour ?? "done" }, accessTokens: { "link-1": "token-1" },
      ...(options.failures === undefined ? {} : { failures: options.failures })
    }),
    followUps.layer,
    TestClock.layer()
  )
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the layer provides whatever the program needs
  const run = <A, E>(program: Effect.Effect<A, E, any>) =>
    Effect.runPromise(Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      return yield* program
    }).pipe(Effect.provide(layer)) as Effect.Effect<A, E, never>)
  return { followUps, run }
}

const state = Effect.gen(function*() {
  return (yield* InMemoryRenewalStore).snapshotState()
})
const calls = Effect.gen(function*() {
  return (yield* InMemoryTruvGateway).calls().map((c) => c.name)
})

const orderEvent = (eventType: string, orderId: string, status: string, webhookId = "wh-1") => JSON.stringify({
  webhook_id: webhookId, event_type: eventType, order_id: orderId, link_id: "link-1", status,
  updated_at: "2026-11-22T10:01:00.000000+00:00", event_created_at: "2026-11-22T10:01:00.000000Z", user_id: "user-1"
})

describe("renew one case", () => {
  it("a stale snapshot of a case another worker re-verified sends nothing: reserve says notNeeded", async () => {
    const { run } = setup({ kase: { ...kase, lastVerifiedAt: iso(NOW - 60_000) } })
    const stale = {
      case: { id: "case-1", dueAt: iso(NOW + 5 * DAY), cycle: "annual" as const, rootOrderId: "ord-1", product: null, lastVerifiedAt: null },
      lineage: Lineage.parse(lineage()), ledger: []
    }
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1", stale)
      return { r, state: yield* state, calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("nothing")
    expect(out.r.why).toBe(`already re-verified ${iso(NOW - 60_000).slice(0, 10)} for this cycle`)
    expect(out.calls).toEqual([])
    expect(out.state.attempts).toEqual([])
  })

  it("refreshes a healthy connection, then a webhook completes it: result stored, case rescheduled", async () => {
    const { run, followUps } = setup()
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const processed = yield* processWebhookBody(orderEvent("order-status-updated", r.orderId!, "completed"))
      const duplicate = yield* processWebhookBody(orderEvent("order-status-updated", r.orderId!, "completed"))
      return { r, processed, duplicate, state: yield* state, calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("in-flight")
    expect(out.r.billed).toBe(1)
    expect(out.processed).toBe("final: case case-1 refreshed")
    expect(out.duplicate).toBe("ignored: outcome already recorded")
    expect(out.state.attempts.map((a) => a.status)).toEqual(["succeeded"])
    expect(out.state.results).toHaveLength(1)
    expect(out.calls).toEqual(["refreshOrder", "getOrder"])
    expect(followUps.rescheduled).toEqual([{ caseId: "case-1", nextDueAt: iso(NOW + 5 * DAY + 365 * DAY), lastVerifiedAt: iso(NOW) }])
    expect(followUps.outcomes.get("case-1")).toBe("refreshed")
  })

  it("queues a Bridge update-mode link for an expired OAuth connection without calling refresh", async () => {
    const { run } = setup({ lineage: lineage({ authenticatedAt: iso(NOW - 200 * DAY) }) })
    const out = await run(Effect.gen(function*() {
      return { r: yield* renewCase("case-1"), state: yield* state, calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("reauth-queued")
    expect(out.calls).toEqual(["createBridgeToken"])
    expect(out.state.attempts).toEqual([])
    expect(out.state.verificationQueue.map((v) => [v.kind, v.reason])).toEqual([["bridge-update", "connection.auth-expired"]])
  })

  it("queues a new order when the lineage has no Truv user", async () => {
    const { run } = setup({ lineage: lineage({ lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) }, null) })
    const out = await run(Effect.gen(function*() {
      return { r: yield* renewCase("case-1"), state: yield* state, calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("new-order-queued")
    expect(out.calls).toEqual(["createOrder"])
    expect(out.state.verificationQueue[0]!.kind).toBe("new-order")
  })

  it("a refresh that ends login_error (learned by polling) queues re-authentication", async () => {
    const { run } = setup({ behaviour: "login_error" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const poll = yield* pollAttempt(r.attemptId!, r.orderId!)
      return { poll, state: yield* state }
    }))
    expect(out.poll).toEqual({ resolved: true, outcome: "reauth-queued" })
    expect(out.state.attempts[0]!.status).toBe("failed")
    expect(out.state.verificationQueue.map((v) => v.reason)).toEqual(["connection.needs-user"])
  })

  it("a provider that is down schedules a retry at the backoff instant", async () => {
    const { run, followUps } = setup({ behaviour: "unavailable" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      return yield* processWebhookBody(orderEvent("order-refresh-failed", r.orderId!, "unavailable"))
    }))
    expect(out).toBe("final: case case-1 retry-later")
    expect(followUps.renewals).toHaveLength(1)
    const at = Date.parse(followUps.renewals[0]!.runAt)
    expect(at).toBeGreaterThan(NOW + 11 * 60_000)
    expect(at).toBeLessThanOrEqual(NOW + 15 * 60_000)
  })

  it("no_data queues a new order", async () => {
    const { run } = setup({ behaviour: "no_data" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      return yield* processWebhookBody(orderEvent("order-refresh-failed", r.orderId!, "no_data"))
    }))
    expect(out).toBe("final: case case-1 new-order-queued")
  })

  it("a follow-up marks its attempt followed up; run again (recovery after a crash) it asks Truv for no second new order", async () => {
    const { run, followUps } = setup({ behaviour: "no_data" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      yield* processWebhookBody(orderEvent("order-refresh-failed", r.orderId!, "no_data"))
      const again = yield* followUp("case-1", (yield* state).attempts[0]!)
      return { attemptId: r.attemptId, again, state: yield* state, calls: yield* calls }
    }))
    expect(out.again).toBe("new-order-queued")
    expect(out.calls).toEqual(["refreshOrder", "createOrder"])
    expect(out.state.verificationQueue.map((v) => [v.kind, v.connectionIds, v.attemptId])).toEqual([["new-order", ["link-1"], out.attemptId]])
    expect(followUps.followedUp).toEqual([out.attemptId, out.attemptId])
  })

  it("waits for the rate window when the ledger has 3 refreshes in the last 24 h", async () => {
    const ledger = [20, 12, 4].map((h, i): AttemptInput => ({
      id: `hist-${i}`, at: iso(NOW - h * 3_600_000), product: "income", connectionIds: ["link-1"], status: "succeeded",
      orderId: `hist-ord-${i}`, outcomes: { "link-1": "done" }
    }))
    const { run } = setup({ ledger })
    const out = await run(Effect.gen(function*() {
      return { r: yield* renewCase("case-1"), calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("waiting")
    expect(out.r.renewAt).toBe(iso(NOW + 4 * 3_600_000))
    expect(out.calls).toEqual([])
  })
})

describe("refresh failures", () => {
  it("RefreshLimitExceeded: rejected, counted as a limit violation attempted", async () => {
    const { run } = setup({ failures: { refreshOrder: [new RefreshLimitExceeded({ message: "Refresh limit for the access_token exceeded" })] } })
    const out = await run(Effect.gen(function*() {
      return { r: yield* renewCase("case-1"), state: yield* state }
    }))
    expect(out.r.outcome).toBe("limit-rejected")
    expect(out.r.limitViolation).toBe(true)
    expect(out.state.attempts.map((a) => [a.status, a.rejection])).toEqual([["rejected", "refresh-limit"]])
  })

  it("Transport that reached Truv: unknown, reconciled from the lineage without sending again", async () => {
    const { run } = setup({ failures: { refreshOrder: [new Transport({ reachedTruv: true, message: "socket hang up" })] } })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const before = (yield* state).attempts[0]!
      const reconciled = yield* reconcileAttempt("case-1", before)
      const again = yield* renewCase("case-1")
      return { r, reconciled, again, state: yield* state, calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("unknown")
    expect(out.reconciled.kind).toBe("sent")
    expect(out.state.attempts.map((a) => a.status)).toEqual(["sent"])
    expect(out.again.outcome).toBe("waiting")
    expect(out.calls.filter((c) => c === "refreshOrder")).toHaveLength(1)
  })

  it("Transport that never left: rejected not-sent, renewed later", async () => {
    const { run } = setup({ failures: { refreshOrder: [new Transport({ reachedTruv: false, message: "ECONNREFUSED" })] } })
    const out = await run(Effect.gen(function*() {
      return { r: yield* renewCase("case-1"), state: yield* state }
    }))
    expect(out.r.outcome).toBe("waiting")
    expect(out.r.renewAt).not.toBeNull()
    expect(out.state.attempts.map((a) => [a.status, a.rejection])).toEqual([["rejected", "not-sent"]])
  })
})
