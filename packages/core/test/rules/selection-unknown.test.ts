import { describe, expect, it } from "vitest"
import { selectionUnknown } from "@recert/core"
import { connection, input, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const three = lineage([
  connection("link-1", { suborderNumber: "1" }),
  connection("link-2", { suborderNumber: "2" }),
  connection("acc-1", { kind: "financial_account", suborderNumber: "3" })
], { orderType: "income" })

describe("selection.unknown", () => {
  it("selects by id", () => {
    const d = decisionOf(input(three, [], { products: ["income"], employers: [{ id: "sub-link-2" }] }), NOW)
    expect(d.connections.map((c) => c.connectionId)).toEqual(["link-2"])
    expect(d.request).toEqual({ orderId: "ord-1", products: ["income"], employers: [{ id: "sub-link-2" }] })
  })

  it("selects by suborder_number; the request names the suborder id", () => {
    const d = decisionOf(input(three, [], { products: ["income"], employers: [{ suborder_number: "1" }] }), NOW)
    expect(d.connections.map((c) => c.connectionId)).toEqual(["link-1"])
    expect(d.request?.employers).toEqual([{ id: "sub-link-1" }])
  })

  it("financial accounts go in financial_accounts", () => {
    const d = decisionOf(input(three), NOW)
    expect(d.request).toEqual({ orderId: "ord-1", products: ["income"], employers: [{ id: "sub-link-1" }, { id: "sub-link-2" }], financial_accounts: [{ id: "sub-acc-1" }] })
  })

  it("an unknown selector denies the whole request, naming it", () => {
    const raw = input(three, [], { products: ["income"], employers: [{ id: "sub-link-1" }, { suborder_number: "9" }], financial_accounts: [{ id: "sub-link-2" }] })
    expect(findingsOf(selectionUnknown, raw, NOW)).toEqual([{
      code: "selection.unknown",
      effect: "deny",
      connectionId: null,
      message: "The request selects employer suborder_number 9, financial account id sub-link-2, which are not part of order ord-1",
      data: { unknown: ["employer suborder_number 9", "financial account id sub-link-2"] }
    }])
    const d = decisionOf(raw, NOW)
    expect([d.verdict, d.request]).toEqual(["deny", null])
    expect(d.connections.map((c) => [c.connectionId, c.verdict])).toEqual([["link-1", "deny"]])
  })

  it("when nothing matches, the decision denies with the reason and no connection", () => {
    const d = decisionOf(input(three, [], { products: ["income"], employers: [{ id: "nope" }] }), NOW)
    expect([d.verdict, d.connections.length, d.reasons[0]!.message]).toEqual(["deny", 0, "The request selects employer id nope, which is not part of order ord-1"])
  })

  it("an explicit empty selection is denied with a reason (it used to deny with none)", () => {
    const d = decisionOf(input(three, [], { products: ["income"], employers: [] }), NOW)
    expect(d.verdict).toBe("deny")
    expect(d.reasons).toEqual([{
      code: "selection.unknown",
      message: "The request selects no employer or financial account; omit the selection to refresh all of them",
      data: { unknown: [] }
    }])
  })
})
