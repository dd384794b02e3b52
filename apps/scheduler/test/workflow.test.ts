/**
 * The workflow against core's in-memory ports: one case renewed, one webhook event processed,
 * an unknown attempt reconciled, each failure of the refresh call acted on, a verification link not
 * asked twice while open, a refresh's verification classified (against the imported baseline
 * when the case has no earlier one) and stored once. Time is TestClock.
 */
import {
  type CaseInput, decideAt, DEFAULT_POLICY_CONFIG, InMemoryRenewalStore, InMemoryTruvGateway, Lineage, type LineageInput, RefreshLimitExceeded, RenewalStore, StoreError, Transport,
  type TruvBehaviour, type AttemptInput, type BaselineInput, ClientReach, ProviderUnavailable, type ReachMode, TruvGateway
} from "@recert/core"
import { type Duration, Effect, Fiber, Layer, Semaphore } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { followUp } from "../src/workflow/follow-up.js"
import { makeMemoryCaseProgress } from "../src/workflow/case-progress.js"
import { processWebhookBody, webhookResultText } from "../src/workflow/process-webhook.js"
import { newOrderExpiresAt, stillServes } from "../src/workflow/queue-verification.js"
import { pollAttempt, reconcileAttempt } from "../src/workflow/reconcile.js"
import { renewCase } from "../src/workflow/renew-case.js"
import { permitGateway } from "../src/runner/truv-permits.js"

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
  baselines?: Readonly<Record<string, BaselineInput>>
  /** How the in-memory Truv's refresh orders show a failure: as Truv does (`truv`: only `error`), or the task status. */
  suborderStatuses?: "task" | "truv"
  /**
   * How clients are reached. These tests were written for the Bridge-first behaviour that is now
   * the `bridge` mode (issue 16), so it is their default; `client-reach.test.ts` covers the others.
   */
  reach?: ReachMode
} = {}) => {
  const l = options.lineage ?? lineage()
  const followUps = makeMemoryCaseProgress()
  const layer = Layer.mergeAll(
    InMemoryRenewalStore.layer({
      cases: [options.kase ?? kase], lineages: [l], ledger: options.ledger ?? [], accessTokens: { "link-1": "token-1" }, baselines: options.baselines ?? {},
      contacts: { [(options.kase ?? kase).id]: { firstName: "Ann", lastName: "Lee" } }
    }),
    Layer.succeed(ClientReach, options.reach ?? "bridge"),
    InMemoryTruvGateway.layer({
      lineages: [l], behaviours: { "link-1": options.behaviour ?? "done" }, accessTokens: { "link-1": "token-1" },
      ...(options.failures === undefined ? {} : { failures: options.failures }),
      ...(options.suborderStatuses === undefined ? {} : { suborderStatuses: options.suborderStatuses })
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

  it("refreshes a healthy connection, then a webhook completes it: the report fetched, classified and stored, case rescheduled", async () => {
    const { run, followUps } = setup()
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const processed = yield* processWebhookBody(orderEvent("order-status-updated", r.orderId!, "completed"))
      const duplicate = yield* processWebhookBody(orderEvent("order-status-updated", r.orderId!, "completed"))
      return { r, processed, duplicate, state: yield* state, calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("in-flight")
    expect(out.r.billed).toBe(1)
    expect(out.processed).toEqual({ _tag: "Final", caseId: "case-1", outcome: "refreshed" })
    expect(out.duplicate).toEqual({ _tag: "Ignored", why: "outcome already recorded" })
    // As the inbox row stores them (the words people read).
    expect([webhookResultText(out.processed), webhookResultText(out.duplicate)]).toEqual(["final: case case-1 refreshed", "ignored: outcome already recorded"])
    expect(out.state.attempts.map((a) => a.status)).toEqual(["succeeded"])
    // The verification: the in-memory Truv's report, first of the case (no baseline): review, baseline.none.
    expect(out.state.results).toEqual([])
    expect(out.state.verifications.map((v) => [v.caseId, v.orderId, v.attemptId, v.via, v.verifiedAt, v.result.class, v.result.reasons.map((r) => r.code)]))
      .toEqual([["case-1", out.r.orderId, out.r.attemptId, "refresh", iso(NOW), "review", ["baseline.none"]]])
    expect(out.state.verifications[0]!.snapshot.employers.map((e) => e.name)).toEqual(["Employer of link-1"])
    expect(followUps.results.get("case-1")).toBe("review")
    expect(out.calls).toEqual(["refreshOrder", "fetchReport"])
    expect(followUps.rescheduled).toEqual([{ caseId: "case-1", nextDueAt: iso(NOW + 5 * DAY + 365 * DAY), lastVerifiedAt: iso(NOW) }])
    expect(followUps.outcomes.get("case-1")).toBe("refreshed")
  })

  it("a first verification is compared with the imported baseline; a follow-up run again fetches nothing and counts once", async () => {
    const { run, followUps } = setup({ baselines: { "case-1": {
      source: "import", verifiedAt: iso(NOW - 365 * DAY), monthlyIncomeCents: 500_000, employers: [{ name: "Employer of link-1", payFrequency: "BW" }]
    } } })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      yield* processWebhookBody(orderEvent("order-status-updated", r.orderId!, "completed"))
      const again = yield* followUp("case-1", (yield* state).attempts[0]!)
      return { again, state: yield* state, calls: yield* calls }
    }))
    // The in-memory report: 7 bi-weekly statements of $2,000.00 = $4,333.33 a month, 13.3 % under the import's $5,000.00.
    const [v] = out.state.verifications
    expect(out.state.verifications).toHaveLength(1)
    expect([v!.result.class, v!.result.reasons.map((r) => [r.code, r.data["previousMonthlyCents"], r.data["currentMonthlyCents"]]), v!.result.baseline?.source])
      .toEqual(["review", [["income.down", 500_000, 433_333]], "import"])
    expect(out.calls).toEqual(["refreshOrder", "fetchReport"])
    expect([out.again, followUps.results.get("case-1"), followUps.followedUp.length]).toEqual(["refreshed", "review", 2])
  })

  it("Truv not answering the report fails the follow-up (retried, then left to recovery): nothing stored, not marked followed up", async () => {
    const down = new ProviderUnavailable({ status: 503, message: "down" })
    const { run, followUps } = setup({ failures: { fetchReport: [down, down, down, down] } })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const processed = yield* Effect.forkChild(processWebhookBody(orderEvent("order-status-updated", r.orderId!, "completed")))
      yield* TestClock.adjust("10 seconds")
      const exit = yield* Effect.exit(Fiber.join(processed))
      return { exit, state: yield* state, calls: yield* calls }
    }))
    expect(out.exit._tag).toBe("Failure")
    expect(out.calls).toEqual(["refreshOrder", "fetchReport", "fetchReport", "fetchReport", "fetchReport"])
    expect([out.state.verifications, followUps.followedUp, followUps.rescheduled]).toEqual([[], [], []])
    expect(out.state.attempts.map((a) => a.status)).toEqual(["succeeded"])
  })

  it("killed between an outcome's two writes: no renewal sees the attempt final with the connection's older status, so nothing is sent twice", async () => {
    const { run } = setup({ behaviour: "login_error" })
    const out = await run(Effect.gen(function*() {
      const first = yield* renewCase("case-1")
      // The worker dies after the first of applyOutcome's two writes (connection status, attempt outcome).
      const inner = yield* RenewalStore
      let writes = 0
      const die = (operation: string) => Effect.suspend(() => (++writes === 2 ? Effect.fail(new StoreError({ operation, message: "killed" })) : Effect.void))
      const killed = RenewalStore.of({
        ...inner,
        recordOutcome: (...a) => Effect.andThen(die("recordOutcome"), inner.recordOutcome(...a)),
        updateConnection: (...a) => Effect.andThen(die("updateConnection"), inner.updateConnection(...a))
      })
      const interrupted = yield* Effect.flip(processWebhookBody(orderEvent("order-refresh-failed", first.orderId!, "login_error")).pipe(Effect.provideService(RenewalStore, killed)))
      // Another renewal of the case (another worker, the next pass), then the webhook's redelivery.
      const second = yield* renewCase("case-1")
      const redelivered = yield* processWebhookBody(orderEvent("order-refresh-failed", first.orderId!, "login_error"))
      return { first, interrupted: interrupted._tag, second: second.outcome, redelivered, state: yield* state, calls: yield* calls }
    }))
    expect(out.first.outcome).toBe("in-flight")
    expect(out.interrupted).toBe("StoreError")
    expect(out.second).toBe("reauth-queued")
    expect(out.redelivered).toEqual({ _tag: "Final", caseId: "case-1", outcome: "reauth-queued" })
    expect(out.calls).toEqual(["refreshOrder", "createBridgeToken"])
    expect(out.state.attempts.map((a) => [a.status, a.outcomes])).toEqual([["failed", { "link-1": "login_error" }]])
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
    expect(out).toEqual({ _tag: "Final", caseId: "case-1", outcome: "retry-later" })
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
    expect(out).toEqual({ _tag: "Final", caseId: "case-1", outcome: "new-order-queued" })
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
    expect(out.r.renewAt).toBe(iso(NOW + 4 * 3_600_000 + 120_000))   // + the default 120 s clock guard
    expect(out.calls).toEqual([])
  })
})

describe("polling a failed suborder: as precise as the webhook, else the cheaper truth (issue 14)", () => {
  const down = () => new ProviderUnavailable({ status: 503, message: "down" })
  const decisionAt = (at: number) => Effect.gen(function*() {
    const snapshot = yield* (yield* RenewalStore).loadSnapshot("case-1")
    return decideAt({ lineage: snapshot.lineage, ledger: [...snapshot.ledger], request: { products: ["income"] } }, at, DEFAULT_POLICY_CONFIG)
  })

  it("the order says only error; the order's task says login_error: recorded login_error, a Bridge link, no retry", async () => {
    const { run, followUps } = setup({ behaviour: "login_error", suborderStatuses: "truv" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const poll = yield* pollAttempt(r.attemptId!, r.orderId!, false)
      return { poll, state: yield* state, calls: yield* calls }
    }))
    expect(out.poll).toEqual({ resolved: true, outcome: "reauth-queued" })
    expect(out.calls).toEqual(["refreshOrder", "getOrder", "findSuborderTask", "createBridgeToken"])
    expect(out.state.attempts.map((a) => [a.status, a.outcomes])).toEqual([["failed", { "link-1": "login_error" }]])
    expect(out.state.verificationQueue.map((v) => [v.kind, v.reason, v.detail])).toEqual([
      ["bridge-update", "connection.needs-user", "refresh ended login_error: the user must re-authenticate"]
    ])
    expect(followUps.renewals).toEqual([])
  })

  it("the task lookup fails: an early poll and the last leave it open (Truv did not answer: nothing recorded); the next poll records Truv's login_error (issue 15)", async () => {
    const { run, followUps } = setup({ behaviour: "login_error", suborderStatuses: "truv", failures: { findSuborderTask: [down(), down()] } })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const early = yield* pollAttempt(r.attemptId!, r.orderId!, false)
      const last = yield* pollAttempt(r.attemptId!, r.orderId!, true)
      const between = (yield* state).attempts.map((a) => [a.status, a.outcomes])
      // A later pass's recovery polls the attempt still `sent`: Truv answers this time.
      const later = yield* pollAttempt(r.attemptId!, r.orderId!, true)
      return { early, last, between, later, state: yield* state }
    }))
    expect([out.early, out.last]).toEqual([{ resolved: false, outcome: null }, { resolved: false, outcome: null }])
    expect(out.between).toEqual([["sent", {}]])
    expect(out.later).toEqual({ resolved: true, outcome: "reauth-queued" })
    expect(out.state.attempts.map((a) => [a.status, a.outcomes])).toEqual([["failed", { "link-1": "login_error" }]])
    expect(out.state.verificationQueue.map((v) => [v.kind, v.reason, v.detail])).toEqual([
      ["bridge-update", "connection.needs-user", "refresh ended login_error: the user must re-authenticate"]
    ])
    expect(followUps.renewals).toEqual([])
  })

  it("Truv's task says only error: recorded as Truv's generic error, imprecise: a Bridge link, never a billed retry", async () => {
    const { run, followUps } = setup({ behaviour: "error", suborderStatuses: "truv" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const last = yield* pollAttempt(r.attemptId!, r.orderId!, true)
      return { last, state: yield* state, decision: yield* decisionAt(NOW + 3_600_000) }
    }))
    expect(out.last).toEqual({ resolved: true, outcome: "reauth-queued" })
    expect(out.state.attempts.map((a) => [a.status, a.outcomes])).toEqual([["failed", { "link-1": "error" }]])
    expect(out.state.lineages[0]!.connections.map((c) => c.lastTaskStatus)).toEqual(["error"])
    expect(out.state.verificationQueue.map((v) => [v.kind, v.reason, v.detail])).toEqual([[
      "bridge-update", "connection.needs-user",
      "refresh ended error (status imprecise: Truv did not say which failure, so it is not refreshed again): the user must re-authenticate"
    ]])
    expect(followUps.renewals).toEqual([])
    // What `recert explain` shows an hour later (past the 15 min backoff a provider outage would get).
    const reason = out.decision.connections[0]!.reasons[0]!
    expect([out.decision.verdict, out.decision.nextEligibleAt, out.decision.connections[0]!.reasons.map((r) => r.code), reason.data["imprecise"]])
      .toEqual(["reauthenticate", null, ["connection.needs-user"], true])
    expect(reason.message).toBe("The last adp task ended in Truv's generic error, which does not say whether the user must act (status imprecise); it is not refreshed again: the user logs in again (Bridge update mode)")
  })

  it("the task itself says only error: imprecise at once, an early poll included", async () => {
    const { run } = setup({ behaviour: "error", suborderStatuses: "truv" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      return { poll: yield* pollAttempt(r.attemptId!, r.orderId!, false), state: yield* state }
    }))
    expect(out.poll).toEqual({ resolved: true, outcome: "reauth-queued" })
    expect(out.state.attempts.map((a) => a.outcomes)).toEqual([{ "link-1": "error" }])
  })

  it("a webhook that says only error is read the same way: a Bridge link, not a retry", async () => {
    const { run, followUps } = setup({ behaviour: "error" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      return yield* processWebhookBody(orderEvent("order-refresh-failed", r.orderId!, "error"))
    }))
    expect(out).toEqual({ _tag: "Final", caseId: "case-1", outcome: "reauth-queued" })
    expect(followUps.renewals).toEqual([])
  })
})

describe("an open verification request is not asked again (issue 5, without wasting)", () => {
  const HOUR = 3_600_000
  const queue = Effect.map(state, (s) => s.verificationQueue.map((q) => [q.id, q.kind, q.connectionIds, q.createdAt, q.resolvedAt, q.resolution]))

  it("reauthenticate twice an hour apart: one Bridge token; 7 hours after it, a new token and the first expired (its lifecycle; the new one replaces it)", async () => {
    const { run } = setup({ lineage: lineage({ authenticatedAt: iso(NOW - 200 * DAY) }) })
    const out = await run(Effect.gen(function*() {
      const first = yield* renewCase("case-1")
      yield* TestClock.setTime(NOW + HOUR)
      const second = yield* renewCase("case-1")
      const afterSecond = { queue: yield* queue, calls: yield* calls }
      yield* TestClock.setTime(NOW + 7 * HOUR)
      const third = yield* renewCase("case-1")
      yield* TestClock.setTime(NOW + 8 * HOUR)
      const fourth = yield* renewCase("case-1")
      return { first, second, third, fourth, afterSecond, queue: yield* queue, calls: yield* calls }
    }))
    const why = "OAuth connection last authenticated 2026-05-06, 200 days ago (valid 180)"
    expect([out.first.outcome, out.first.alreadyQueuedAt]).toEqual(["reauth-queued", null])
    expect(out.second).toMatchObject({ outcome: "reauth-queued", alreadyQueuedAt: iso(NOW), why: `${why} (link already queued at ${iso(NOW)})` })
    expect(out.afterSecond).toEqual({
      queue: [[1, "bridge-update", ["link-1"], iso(NOW), null, null]],
      calls: ["createBridgeToken"]
    })
    expect([out.third.outcome, out.third.alreadyQueuedAt, out.third.why]).toEqual(["reauth-queued", null, why])
    expect([out.fourth.outcome, out.fourth.alreadyQueuedAt]).toEqual(["reauth-queued", iso(NOW + 7 * HOUR)])
    expect(out.queue).toEqual([
      [1, "bridge-update", ["link-1"], iso(NOW), iso(NOW + 7 * HOUR), "expired"],
      [2, "bridge-update", ["link-1"], iso(NOW + 7 * HOUR), null, null]
    ])
    // Before the first token expires, Truv is asked whether the link was re-authenticated (issue 16): it was not.
    expect(out.calls).toEqual(["createBridgeToken", "linkState", "createBridgeToken"])
  })

  it("a Bridge token is valid for 6 hours: at 5 h 59 min still queued, at 6 h renewed", async () => {
    const { run } = setup({ lineage: lineage({ authenticatedAt: iso(NOW - 200 * DAY) }) })
    const out = await run(Effect.gen(function*() {
      yield* renewCase("case-1")
      yield* TestClock.setTime(NOW + 6 * HOUR - 60_000)
      const before = yield* renewCase("case-1")
      yield* TestClock.setTime(NOW + 6 * HOUR)
      const at = yield* renewCase("case-1")
      return { before: before.alreadyQueuedAt, at: at.alreadyQueuedAt, calls: yield* calls }
    }))
    expect(out).toEqual({ before: iso(NOW), at: null, calls: ["createBridgeToken", "linkState", "createBridgeToken"] })
  })

  it("a new order (no Truv user) is never asked again while open, days later included", async () => {
    const { run } = setup({ lineage: lineage({ lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) }, null) })
    const out = await run(Effect.gen(function*() {
      const first = yield* renewCase("case-1")
      yield* TestClock.setTime(NOW + HOUR)
      const second = yield* renewCase("case-1")
      yield* TestClock.setTime(NOW + 3 * DAY)
      const third = yield* renewCase("case-1")
      return { outcomes: [first, second, third].map((r) => [r.outcome, r.alreadyQueuedAt]), queue: yield* queue, calls: yield* calls }
    }))
    expect(out).toEqual({
      outcomes: [["new-order-queued", null], ["new-order-queued", iso(NOW)], ["new-order-queued", iso(NOW)]],
      queue: [[1, "new-order", ["link-1"], iso(NOW), null, null]],
      calls: ["createOrder"]
    })
  })

  it("a link queued by a refresh's follow-up is not asked again by the next renewal's decision", async () => {
    const { run } = setup({ behaviour: "login_error" })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const final = yield* processWebhookBody(orderEvent("order-refresh-failed", r.orderId!, "login_error"))
      yield* TestClock.setTime(NOW + HOUR)
      const again = yield* renewCase("case-1")
      return { final, again: [again.outcome, again.alreadyQueuedAt], queue: yield* queue, calls: yield* calls }
    }))
    expect(out).toEqual({
      final: { _tag: "Final", caseId: "case-1", outcome: "reauth-queued" },
      again: ["reauth-queued", iso(NOW)],
      queue: [[1, "bridge-update", ["link-1"], iso(NOW), null, null]],
      calls: ["refreshOrder", "createBridgeToken"]
    })
  })

  it("stillServes: a request older than the case's last verification, or a token the connection has re-authenticated with since, serves no more", () => {
    const snapshot = (over: { lastVerifiedAt?: string; authenticatedAt?: string } = {}) => ({
      case: { id: "case-1", dueAt: iso(NOW + 5 * DAY), cycle: "annual" as const, rootOrderId: "ord-1", product: null, lastVerifiedAt: over.lastVerifiedAt ?? null },
      lineage: Lineage.parse(lineage(over.authenticatedAt === undefined ? {} : { authenticatedAt: over.authenticatedAt })), ledger: []
    })
    const q = (kind: "bridge-update" | "new-order") => ({
      id: 1, caseId: "case-1", kind, connectionIds: ["link-1"], reason: "r", detail: "d", bridgeToken: null, shareUrl: null, orderId: null,
      createdAt: iso(NOW), resolvedAt: null, resolution: null
    })
    // NOW is Sunday 2026-11-22 10:00Z: the order's 72 weekday hours run Monday to Wednesday.
    expect(stillServes(snapshot(), q("new-order"), "link-1", Date.parse("2026-11-26T00:00:00.000Z") - 1)).toBe(true)
    expect(stillServes(snapshot(), q("new-order"), "link-1", Date.parse("2026-11-26T00:00:00.000Z"))).toBe(false)
    expect(stillServes(snapshot({ lastVerifiedAt: iso(NOW + DAY) }), q("new-order"), "link-1", NOW + 2 * DAY)).toBe(false)
    expect(stillServes(snapshot(), q("bridge-update"), "link-1", NOW + HOUR)).toBe(true)
    expect(stillServes(snapshot({ authenticatedAt: iso(NOW + 30 * 60_000) }), q("bridge-update"), "link-1", NOW + HOUR)).toBe(false)
    expect(stillServes(snapshot(), q("bridge-update"), "link-1", NOW + 6 * HOUR)).toBe(false)
  })
})

describe("newOrderExpiresAt: Truv's 72 h, weekends not counted", () => {
  it.each([
    ["2026-11-22T10:00:00.000Z", "2026-11-26T00:00:00.000Z"], // Sunday: Monday 00:00 + 72 h
    ["2026-11-27T12:00:00.000Z", "2026-12-02T12:00:00.000Z"], // Friday noon: 12 h, the weekend, Monday, Tuesday, 12 h
    ["2026-11-23T00:00:00.000Z", "2026-11-26T00:00:00.000Z"], // Monday midnight: three whole weekdays
    ["2026-11-25T18:30:00.000Z", "2026-11-30T18:30:00.000Z"] // Wednesday evening: Thursday, Friday, then Monday
  ])("created %s expires %s", (created, expires) => {
    expect(new Date(newOrderExpiresAt(Date.parse(created))).toISOString()).toBe(expires)
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
    // The second renewal waits for the refresh in flight: it reports it in flight (issue 15), not waiting.
    expect([out.again.outcome, out.again.waitsOn]).toEqual(["in-flight", { attemptId: out.state.attempts[0]!.id, orderId: out.state.attempts[0]!.orderId, status: "sent" }])
    expect(out.calls.filter((c) => c === "refreshOrder")).toHaveLength(1)
  })

  /** Renews case-1 while the worker's only Truv permit is held by another job's request for `heldFor`. */
  const renewWhilePermitHeld = (heldFor: Duration.Input) => Effect.gen(function*() {
    const permits = Semaphore.makeUnsafe(1)
    yield* permits.take(1)
    const gateway = permitGateway(yield* TruvGateway, permits)
    const renewal = yield* Effect.forkChild(renewCase("case-1").pipe(Effect.provideService(TruvGateway, gateway)))
    yield* TestClock.adjust(heldFor)
    yield* permits.release(1)
    return yield* Fiber.join(renewal)
  })

  it("a reservation still waiting for its Truv permit 30 s later is never sent: rejected not-sent (issue 15: recovery may take it for never sent)", async () => {
    const { run } = setup()
    const out = await run(Effect.gen(function*() {
      const r = yield* renewWhilePermitHeld("30001 millis")
      return { r, state: yield* state, refreshes: (yield* InMemoryTruvGateway).refreshesOf("link-1").length, calls: yield* calls }
    }))
    expect(out.r.outcome).toBe("waiting")
    expect(out.state.attempts.map((a) => [a.status, a.rejection])).toEqual([["rejected", "not-sent"]])
    expect(out.refreshes).toBe(0)
    expect(out.calls.filter((c) => c === "refreshOrder")).toHaveLength(0)
  })

  it("a reservation whose permit comes within 30 s is sent", async () => {
    const { run } = setup()
    const out = await run(Effect.gen(function*() {
      return { r: yield* renewWhilePermitHeld("30 seconds"), state: yield* state }
    }))
    expect(out.r.outcome).toBe("in-flight")
    expect(out.state.attempts.map((a) => a.status)).toEqual(["sent"])
  })

  it("a refresh that timed out is given until its landing time before Truv's silence means never created (issue 15: chaos kills seed 5 refreshed a case twice)", async () => {
    // Truv answers nothing in time (a 5xx or a timeout) and has not created the refresh yet.
    const { run } = setup({ failures: { refreshOrder: [new ProviderUnavailable({ message: "502 Bad Gateway", status: 502 })] } })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      const reserved = (yield* state).attempts[0]!
      // The reconciliation that follows at once finds nothing: too early to say.
      const early = yield* reconcileAttempt("case-1", reserved, 90_000)
      const held = yield* renewCase("case-1")
      // Truv then processes the request it still held: the refresh exists after all.
      const late = yield* (yield* InMemoryTruvGateway).refreshOrder({ orderId: "ord-1", product: "income" })
      yield* TestClock.adjust("90 seconds")
      const landed = yield* reconcileAttempt("case-1", (yield* state).attempts[0]!, 90_000)
      return { r, early, held, late, landed, state: yield* state, calls: yield* calls }
    }))
    expect([out.r.outcome, out.r.answered]).toEqual(["unknown", false])
    expect(out.early).toEqual({ kind: "too-early", retryAt: NOW + 90_000 })
    expect(out.held.outcome).toBe("unknown")
    expect(out.landed).toEqual({ kind: "sent", orderId: out.late.id })
    expect(out.state.attempts.map((a) => [a.status, a.orderId])).toEqual([["sent", out.late.id]])
    // One request of ours (the second refreshOrder is Truv landing the first): the case was not renewed again.
    expect(out.calls.filter((c) => c === "refreshOrder")).toHaveLength(2)
  })

  it("a 500 Truv answered itself is done with: the renewal says so, and its reconciliation may conclude at once (the job passes 0)", async () => {
    const { run } = setup({ failures: { refreshOrder: [new ProviderUnavailable({ message: "A server error occurred.", status: 500 })] } })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      return { r, reconciled: yield* reconcileAttempt("case-1", (yield* state).attempts[0]!, 0), state: yield* state }
    }))
    expect([out.r.outcome, out.r.answered]).toEqual(["unknown", true])
    expect(out.reconciled).toEqual({ kind: "not-sent" })
  })

  it("a refresh Truv never creates is not-sent once its landing time has passed, and exactly then", async () => {
    const { run } = setup({ failures: { refreshOrder: [new ProviderUnavailable({ message: "502 Bad Gateway", status: 502 })] } })
    const out = await run(Effect.gen(function*() {
      yield* renewCase("case-1")
      yield* TestClock.adjust(90_000 - 1)
      const before = yield* reconcileAttempt("case-1", (yield* state).attempts[0]!, 90_000)
      yield* TestClock.adjust(1)
      const at = yield* reconcileAttempt("case-1", (yield* state).attempts[0]!, 90_000)
      return { before, at, state: yield* state }
    }))
    expect(out.before).toEqual({ kind: "too-early", retryAt: NOW + 90_000 })
    expect(out.at).toEqual({ kind: "not-sent" })
    expect(out.state.attempts.map((a) => [a.status, a.rejection])).toEqual([["rejected", "not-sent"]])
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

describe("exactly once at Truv (issues 15/16): intents, lookups, no second POST", () => {
  // A case whose decision asks for a new order (no Truv user, login error known), or a Bridge token.
  const newOrderCase = () => lineage({ lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) }, null)
  const bridgeCase = () => lineage({ lastTaskStatus: "login_error", lastStatusAt: iso(NOW - DAY) })
  const renewedAt = (at: number) => Effect.andThen(TestClock.setTime(at), Effect.exit(renewCase("case-1")))
  const truvCalls = Effect.gen(function*() {
    return (yield* InMemoryTruvGateway).calls().map((c) => [c.name, c.failedWith, c.name === "createOrder" ? (c.request as { orderNumber: string }).orderNumber : null] as const)
  })
  const queue = Effect.map(state, (s) => s.verificationQueue.map((q) => [q.kind, q.state, q.orderId ?? q.bridgeToken, q.resolution] as const))

  it("a new order whose answer is lost (Truv made it) is found by its key and adopted: one POST, one order", async () => {
    const { run } = setup({ lineage: newOrderCase(), failures: { createOrder: [new Transport({ reachedTruv: true, message: "socket hang up" })] } })
    const out = await run(Effect.gen(function*() {
      const r = yield* renewCase("case-1")
      return { r, calls: yield* truvCalls, queue: yield* queue, orders: [...(yield* InMemoryTruvGateway).orders().values()].filter((o) => o.orderNumber?.startsWith("4138538/")) }
    }))
    expect(out.r.outcome).toBe("new-order-queued")
    expect(out.calls).toEqual([["createOrder", "Transport", "4138538/rq-1"], ["findOrdersByNumber", null, null]])
    expect(out.orders.map((o) => o.orderNumber)).toEqual(["4138538/rq-1"])
    expect(out.queue).toEqual([["new-order", "created", out.orders[0]!.id, null]])
  })

  it("a 502 and no order at Truv: not sent again within the grace; after it, sent again with the same key", async () => {
    const { run } = setup({ lineage: newOrderCase(), failures: { createOrder: [new ProviderUnavailable({ status: 502, message: "Bad gateway." })] } })
    const out = await run(Effect.gen(function*() {
      const first = yield* renewedAt(NOW)
      const afterFirst = yield* queue
      const within = yield* renewedAt(NOW + 30_000)
      const after = yield* renewedAt(NOW + 61_000)
      return { first: first._tag, afterFirst, within, after, calls: yield* truvCalls, queue: yield* queue }
    }))
    expect([out.first, out.afterFirst]).toEqual(["Failure", [["new-order", "intent", null, null]]])
    expect(out.within._tag === "Success" && [out.within.value.outcome, out.within.value.alreadyQueuedAt]).toEqual(["new-order-queued", iso(NOW)])
    expect(out.calls).toEqual([
      ["createOrder", "ProviderUnavailable", "4138538/rq-1"], ["findOrdersByNumber", null, null],
      ["findOrdersByNumber", null, null],
      ["findOrdersByNumber", null, null], ["createOrder", null, "4138538/rq-1"]
    ])
    expect(out.queue).toEqual([["new-order", "created", expect.stringMatching(/^truv-ord-/), null]])
  })

  it("a 500 (Truv's own refusal) created nothing: the intent is forgotten and the next ask is a new one", async () => {
    const { run } = setup({ lineage: newOrderCase(), failures: { createOrder: [new ProviderUnavailable({ status: 500, message: "Internal error." })] } })
    const out = await run(Effect.gen(function*() {
      const first = yield* renewedAt(NOW)
      const afterFirst = yield* queue
      yield* renewedAt(NOW + 1000)
      return { first: first._tag, afterFirst, calls: yield* truvCalls, queue: yield* queue }
    }))
    expect([out.first, out.afterFirst]).toEqual(["Failure", []])
    expect(out.calls).toEqual([["createOrder", "ProviderUnavailable", "4138538/rq-1"], ["createOrder", null, "4138538/rq-2"]])
    expect(out.queue).toEqual([["new-order", "created", expect.stringMatching(/^truv-ord-/), null]])
  })

  it("a Bridge token answered 502 is recorded unknown and not asked again while it could serve (6 h)", async () => {
    const { run } = setup({ lineage: bridgeCase(), failures: { createBridgeToken: [new ProviderUnavailable({ status: 502, message: "Bad gateway." })] } })
    const out = await run(Effect.gen(function*() {
      const first = yield* renewedAt(NOW)
      const later = yield* renewedAt(NOW + 5 * 3_600_000)
      const past = yield* renewedAt(NOW + 7 * 3_600_000)
      return { first, later, past, calls: yield* truvCalls, queue: yield* queue }
    }))
    expect([out.first, out.later, out.past].map((e) => e._tag === "Success" && [e.value.outcome, e.value.alreadyQueuedAt])).toEqual([
      ["reauth-queued", null], ["reauth-queued", iso(NOW)], ["reauth-queued", null]
    ])
    expect(out.calls).toEqual([["createBridgeToken", "ProviderUnavailable", null], ["linkState", null, null], ["createBridgeToken", null, null]])
    expect(out.queue).toEqual([["bridge-update", "unknown", null, "expired"], ["bridge-update", "created", expect.stringMatching(/^bridge-/), null]])
  })
})
