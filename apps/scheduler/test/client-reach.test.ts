/**
 * How a client who must act is reached (issue 16), against core's in-memory ports under
 * TestClock: an annual case whose OAuth connection expired, under each reach mode. `truv-sends`
 * (the default) asks Truv for a new order carrying the case's contact, for Truv to email/text;
 * `agency-sends` the same order with Truv's notifications suppressed and its `share_url` stored;
 * `bridge` a Bridge update-mode token. A contact that lacks what the mode needs asks Truv nothing,
 * never a placeholder name: the case is escalated to a caseworker once, naming the fields, and the
 * next passes ask nothing (no failure, no warning each pass). No log line holds the contact.
 */
import { type CaseContact, ClientReach, type CaseInput, InMemoryRenewalStore, InMemoryTruvGateway, type LineageInput, type ReachMode } from "@recert/core"
import { Effect, Layer, Logger } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { makeMemoryCaseProgress } from "../src/workflow/case-progress.js"
import { renewCase } from "../src/workflow/renew-case.js"

const NOW = Date.parse("2026-11-22T10:00:00.000Z")
const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

/** OAuth authenticated 200 days ago: expired (180 days); the lineage has a Truv user, so Bridge could serve. */
const lineage: LineageInput = {
  rootOrderId: "ord-1", orderType: "income", orderNumber: "4138538", userId: "user-1",
  orders: [{ id: "ord-1", parentId: null, createdAt: iso(NOW - 250 * DAY) }],
  connections: [{ id: "link-1", suborderId: "emp-1", provider: "adp", authKind: "oauth", authenticatedAt: iso(NOW - 200 * DAY) }]
}
const kase: CaseInput = { id: "case-1", dueAt: iso(NOW + 5 * DAY), cycle: "annual", rootOrderId: "ord-1" }
const ZOE: CaseContact = { firstName: "Zoë", lastName: "Ñúñez", email: "zoe.nunez@example.org", phone: "+14155550123", externalUserId: "client-77" }

const renew = (reach: ReachMode | null, contact: Partial<CaseContact> | null, passes = 1) => {
  const logs: Array<string> = []
  const layer = Layer.mergeAll(
    InMemoryRenewalStore.layer({ cases: [kase], lineages: [lineage], accessTokens: { "link-1": "token-1" }, contacts: contact === null ? {} : { "case-1": contact } }),
    InMemoryTruvGateway.layer({ lineages: [lineage], behaviours: { "link-1": "done" }, accessTokens: { "link-1": "token-1" } }),
    makeMemoryCaseProgress().layer,
    Logger.layer([Logger.make((o) => logs.push(JSON.stringify(o.message)))]),
    TestClock.layer()
  )
  const program = Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    const r = yield* renewCase("case-1")
    // Later passes (a day apart, as the daily `run` or serve's next day renews a waiting case).
    const later: Array<string> = []
    for (let i = 1; i < passes; i++) {
      yield* TestClock.adjust(DAY)
      later.push((yield* renewCase("case-1")).outcome)
    }
    const truv = yield* InMemoryTruvGateway
    const store = yield* InMemoryRenewalStore
    const state = store.snapshotState()
    return {
      outcome: r.outcome, why: r.why, later,
      requests: (yield* store.caseRequests("case-1")).map((q) => [q.kind, q.state, q.transitions.map((t) => `${t.from ?? "-"}>${t.to}: ${t.reason}`)] as const),
      calls: truv.calls().map((c) => [c.name, c.request] as const),
      queue: state.verificationQueue.map((q) => ({ kind: q.kind, state: q.state, orderId: q.orderId, shareUrl: q.shareUrl, bridgeToken: q.bridgeToken !== null }))
    }
  })
  return Effect.runPromise((reach === null ? program : program.pipe(Effect.provideService(ClientReach, reach))).pipe(Effect.provide(layer)))
    .then((r) => ({ ...r, logs }))
}

describe("reaching the client of an annual case whose OAuth expired", () => {
  it("truv-sends (the default): a new order with the client's name, email, phone and external user id; Truv notifies", async () => {
    const r = await renew(null, ZOE)
    expect(r.outcome).toBe("new-order-queued")
    expect(r.calls).toEqual([["createOrder", {
      products: ["income"], firstName: "Zoë", lastName: "Ñúñez", orderNumber: "4138538/rq-1",
      email: "zoe.nunez@example.org", phone: "+14155550123", externalUserId: "client-77"
    }]])
    expect(r.queue).toEqual([{ kind: "new-order", state: "created", orderId: r.queue[0]!.orderId, shareUrl: `https://cdn.truv.com/share/${r.queue[0]!.orderId}`, bridgeToken: false }])
  })

  it("agency-sends: the same order with Truv's notifications suppressed; its share_url stored for the agency", async () => {
    const r = await renew("agency-sends", { firstName: "李", lastName: "小龙" })
    expect(r.outcome).toBe("new-order-queued")
    expect(r.calls).toEqual([["createOrder", { products: ["income"], firstName: "李", lastName: "小龙", orderNumber: "4138538/rq-1", suppressNotifications: true }]])
    expect(r.queue[0]!.shareUrl).toBe(`https://cdn.truv.com/share/${r.queue[0]!.orderId}`)
  })

  it("bridge: a Bridge update-mode token, no contact needed", async () => {
    const r = await renew("bridge", null)
    expect([r.outcome, r.calls.map(([name]) => name), r.queue.map((q) => [q.kind, q.bridgeToken])]).toEqual(["reauth-queued", ["createBridgeToken"], [["bridge-update", true]]])
  })

  it("a contact without what the mode needs: nothing asked of Truv, the case escalated to a caseworker once with the fields; never a placeholder, never a retry each pass", async () => {
    const noAddress = await renew("truv-sends", { firstName: "Ann", lastName: "Lee" }, 3)
    // Escalated at the first pass (a final state); the next two find it escalated: nothing asked, no warning.
    expect([noAddress.outcome, noAddress.later, noAddress.calls]).toEqual(["denied", ["denied", "denied"], []])
    expect(noAddress.why).toBe("OAuth connection last authenticated 2026-05-06, 200 days ago (valid 180); no verification link asked: the case's client contact lacks email (import it with the case); escalated to a caseworker")
    expect(noAddress.requests).toEqual([["new-order", "escalated", [
      "->created: no request made: the client cannot be reached",
      "created>escalated: no verification link can be asked: the case's client contact lacks email, which reach truv-sends needs (import it with the case); escalated to a caseworker"
    ]]])
    expect(noAddress.queue).toEqual([{ kind: "new-order", state: undefined, orderId: null, shareUrl: null, bridgeToken: false }])
    const none = await renew("agency-sends", null)
    expect([none.outcome, none.calls]).toEqual(["denied", []])
    expect(none.why).toContain("the case's client contact lacks firstName, lastName (import it with the case); escalated to a caseworker")
    expect(noAddress.logs.filter((l) => l.includes("client contact") || l.includes("escalated"))).toEqual([
      JSON.stringify(["no verification link asked: the case's client contact lacks what the reach mode needs; escalated to a caseworker", { caseId: "case-1", reach: "truv-sends", missing: ["email"] }]),
      JSON.stringify(["case escalated to a caseworker in this cycle: no link asked", { caseId: "case-1", kind: "new-order" }]),
      JSON.stringify(["case escalated to a caseworker in this cycle: no link asked", { caseId: "case-1", kind: "new-order" }])
    ])
  })

  it("no log line holds the client's name, email or phone", async () => {
    const runs = [await renew(null, ZOE), await renew("agency-sends", ZOE), await renew("truv-sends", { firstName: "Zoë", lastName: "Ñúñez" })]
    const lines = runs.flatMap((r) => r.logs)
    expect(lines.length).toBeGreaterThan(0)
    for (const value of ["Zoë", "Zo\\u00eb", "Ñúñez", "zoe.nunez", "4155550123", "client-77"]) expect(lines.filter((l) => l.includes(value))).toEqual([])
  })
})
