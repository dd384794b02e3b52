/**
 * How a client who must act is reached (issue 16), against core's in-memory ports under
 * TestClock: an annual case whose OAuth connection expired, under each reach mode. `truv-sends`
 * (the default) asks Truv for a new order carrying the case's contact, for Truv to email/text;
 * `agency-sends` the same order with Truv's notifications suppressed and its `share_url` stored;
 * `bridge` a Bridge update-mode token. A contact that lacks what the mode needs asks Truv nothing,
 * and the case fails naming the fields, never a placeholder name. No log line holds the contact.
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

const renew = (reach: ReachMode | null, contact: Partial<CaseContact> | null) => {
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
    const truv = yield* InMemoryTruvGateway
    const state = (yield* InMemoryRenewalStore).snapshotState()
    return {
      outcome: r.outcome, why: r.why,
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

  it("a contact without what the mode needs: nothing asked of Truv, the case failed naming the fields; never a placeholder", async () => {
    const noAddress = await renew("truv-sends", { firstName: "Ann", lastName: "Lee" })
    expect([noAddress.outcome, noAddress.calls, noAddress.queue]).toEqual(["failed", [], []])
    expect(noAddress.why).toBe("OAuth connection last authenticated 2026-05-06, 200 days ago (valid 180); no verification link asked: the case's client contact lacks email (import it with the case)")
    const none = await renew("agency-sends", null)
    expect([none.outcome, none.calls]).toEqual(["failed", []])
    expect(none.why).toContain("the case's client contact lacks firstName, lastName (import it with the case)")
    expect(noAddress.logs.filter((l) => l.includes("client contact"))).toEqual([
      JSON.stringify(["no verification link asked: the case's client contact lacks what the reach mode needs", { caseId: "case-1", reach: "truv-sends", missing: ["email"] }])
    ])
  })

  it("no log line holds the client's name, email or phone", async () => {
    const runs = [await renew(null, ZOE), await renew("agency-sends", ZOE), await renew("truv-sends", { firstName: "Zoë", lastName: "Ñúñez" })]
    const lines = runs.flatMap((r) => r.logs)
    expect(lines.length).toBeGreaterThan(0)
    for (const value of ["Zoë", "Zo\\u00eb", "Ñúñez", "zoe.nunez", "4155550123", "client-77"]) expect(lines.filter((l) => l.includes(value))).toEqual([])
  })
})
