import { describe, expect, it } from "vitest"
import { connectionDeleted } from "@recert/core"
import { connection, DAY, input, iso, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const deleted = (extra = {}) => connection("link-1", { deletedAt: iso(NOW - DAY), ...extra })

describe("connection.deleted (issue 19)", () => {
  it("a deleted link asks for a new order, explains why, and costs nothing", () => {
    const i = input(lineage([deleted()]))
    expect(findingsOf(connectionDeleted, i, NOW)).toEqual([{
      code: "connection.deleted",
      effect: "new-order",
      connectionId: "link-1",
      message: `The adp link was deleted at Truv on ${iso(NOW - DAY).slice(0, 10)}; it can never be refreshed or re-authenticated, the client must connect again (a new order)`,
      data: { deletedAt: iso(NOW - DAY) }
    }])
    const d = decisionOf(i, NOW)
    expect([d.verdict, d.request, d.cost.billedVerifications]).toEqual(["new-order", null, 0])
  })

  it("outranks the re-authentication rules, which skip a deleted link (Bridge cannot re-authenticate it)", () => {
    const d = decisionOf(input(lineage([deleted({ lastTaskStatus: "login_error", lastStatusAt: iso(NOW - 2 * DAY), authenticatedAt: iso(NOW - 200 * DAY), mfaOnEveryLogin: true })])), NOW)
    expect([d.verdict, d.connections[0]!.reasons.map((r) => r.code)]).toEqual(["new-order", ["connection.deleted"]])
  })

  it("a live sibling is refreshed alone", () => {
    const d = decisionOf(input(lineage([deleted(), connection("link-2")])), NOW)
    expect([d.verdict, d.connections.map((c) => c.verdict), d.request?.employers]).toEqual(["refresh", ["new-order", "refresh"], [{ id: "sub-link-2" }]])
  })

  it("a live link (deletedAt absent or null) is not concerned", () => {
    expect(decisionOf(input(lineage([connection("link-1", { deletedAt: null })])), NOW).verdict).toBe("refresh")
  })
})
