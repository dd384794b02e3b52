import { describe, expect, it } from "vitest"
import { attempt, connection, DAY, HOUR, input, iso, lineage, MINUTE, NOW, NOW_ISO } from "../fixtures.js"
import { decisionOf, verdicts } from "../rules/helpers.js"

const expired = (id: string) => connection(id, { authenticatedAt: iso(NOW - 200 * DAY) })
const noData = (id: string) => connection(id, { lastTaskStatus: "no_data", lastStatusAt: iso(NOW - DAY) })
const atLimit = (id: string, from: number) => [1, 2, 3].map((h) => attempt(from - h * HOUR, [id]))

describe("composition", () => {
  it("the decision of DESIGN.md: a subset refresh request, never dropping a connection", () => {
    const d = decisionOf(input(lineage([expired("link-1"), connection("link-2"), noData("link-3")])), NOW)
    expect(d.verdict).toBe("refresh")
    expect(d.at).toBe(NOW_ISO)
    expect(d.request).toEqual({ orderId: "ord-1", products: ["income"], employers: [{ id: "sub-link-2" }] })
    expect(verdicts(d)).toEqual({ "link-1": "reauthenticate", "link-2": "refresh", "link-3": "new-order" })
    expect(d.cost).toEqual({ billedVerifications: 1, freeVerifications: 0, gseFreeRemaining: null })
    expect(d.nextEligibleAt).toBeNull()
  })

  it("the request uses the newest order id of the lineage", () => {
    const l = lineage(undefined, { orders: [{ id: "ord-1", parentId: null, createdAt: iso(NOW - 60 * DAY) }, { id: "ord-2", parentId: "ord-1", createdAt: iso(NOW - 30 * DAY) }] })
    expect(decisionOf(input(l), NOW).request?.orderId).toBe("ord-2")
  })

  it.each([
    ["deny > everything", [expired("link-1"), noData("link-2"), connection("link-3")], { status: "canceled" as const }, "deny"],
    ["reauthenticate > new-order > wait", [expired("link-1"), noData("link-2"), connection("link-3")], {}, "reauthenticate"],
    ["new-order > wait", [noData("link-2"), connection("link-3")], {}, "new-order"],
    ["wait only", [connection("link-3")], {}, "wait"]
  ] as const)("order-level precedence when nothing can refresh: %s", (_n, conns, patch, verdict) => {
    // link-3 is at its rate limit, so it waits
    const d = decisionOf(input(lineage([...conns], patch), atLimit("link-3", NOW)), NOW)
    expect(d.verdict).toBe(verdict)
    expect(d.connections).toHaveLength(conns.length)
  })

  it("per connection: needs-user outranks wait, and then there is no nextEligibleAt", () => {
    const d = decisionOf(input(lineage([expired("link-1")]), atLimit("link-1", NOW)), NOW)
    expect(d.connections[0]!.verdict).toBe("reauthenticate")
    expect(d.connections[0]!.reasons.map((r) => r.code)).toEqual(["connection.auth-expired", "rate.window"])
    expect([d.connections[0]!.nextEligibleAt, d.nextEligibleAt]).toEqual([null, null])
  })

  it("nextEligibleAt: the latest of the waiting rules per connection, the earliest across connections", () => {
    const c1 = connection("link-1", { lastTaskStatus: "unavailable", lastStatusAt: iso(NOW - MINUTE) })  // backoff ~13 min
    const ledger = [
      ...[23, 22, 21].map((h) => attempt(NOW - h * HOUR, ["link-1"])), // link-1 window frees at NOW + 1 h
      ...[5, 4, 3].map((h) => attempt(NOW - h * HOUR, ["link-2"]))     // link-2 window frees at NOW + 19 h
    ]
    const d = decisionOf(input(lineage([c1, connection("link-2")]), ledger), NOW, { clockGuardSeconds: 0 })
    expect(d.connections.map((c) => [c.verdict, c.nextEligibleAt])).toEqual([["wait", iso(NOW + HOUR)], ["wait", iso(NOW + 19 * HOUR)]])
    expect([d.verdict, d.nextEligibleAt]).toEqual(["wait", iso(NOW + HOUR)])
  })

  it("a wait with no known instant (GSE block) leaves nextEligibleAt null for that connection", () => {
    const l = lineage([connection("link-1")], { gse: true })
    const ledger = [1, 2, 3, 4, 5].map((d) => attempt(NOW - 60 * DAY + d * DAY))
    const d = decisionOf(input(l, ledger), NOW, { gse: { onQuotaExceeded: "block" } })
    expect([d.verdict, d.nextEligibleAt, d.connections[0]!.nextEligibleAt]).toEqual(["wait", null, null])
  })

  it("GSE block and a rate window together: still no instant (the block never lifts)", () => {
    const l = lineage([connection("link-1")], { gse: true })
    const ledger = [...[1, 2].map((d) => attempt(NOW - 60 * DAY + d * DAY)), ...atLimit("link-1", NOW)]
    const d = decisionOf(input(l, ledger), NOW, { gse: { onQuotaExceeded: "block" } })
    expect(d.connections[0]!.reasons.map((r) => r.code)).toEqual(["gse.free-quota", "rate.window"])
    expect(d.connections[0]!.nextEligibleAt).toBeNull()
  })

  it("warnings from every connection, with the connection named", () => {
    const d = decisionOf(input(lineage([connection("link-1", { authKind: "session" }), connection("link-2", { authenticatedAt: iso(NOW - 170 * DAY) })])), NOW)
    expect(d.warnings.map((w) => [w.code, w.data["connectionId"]])).toEqual([["connection.auth-expiring", "link-2"], ["connection.auth-unknown", "link-1"]])
    expect(d.verdict).toBe("refresh")
  })

  it("lineage-level reasons appear on the decision and on every connection", () => {
    const d = decisionOf(input(lineage([connection("link-1"), connection("link-2")], { status: "expired" })), NOW)
    expect(d.reasons.map((r) => r.code)).toEqual(["lineage.closed"])
    expect(d.connections.map((c) => c.reasons.map((r) => r.code))).toEqual([["lineage.closed"], ["lineage.closed"]])
  })

  it("the decision validates against its own schema and survives a JSON round trip", async () => {
    const { Decision } = await import("@recert/core")
    const d = decisionOf(input(lineage([expired("link-1"), connection("link-2")])), NOW)
    expect(Decision.parse(JSON.parse(JSON.stringify(d)))).toEqual(d)
  })
})
