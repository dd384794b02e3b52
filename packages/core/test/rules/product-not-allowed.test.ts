import { describe, expect, it } from "vitest"
import { productNotAllowed } from "@recert/core"
import { input, lineage, NOW } from "../fixtures.js"
import { decisionOf, findingsOf } from "./helpers.js"

const PRODUCTS = ["income", "employment", "assets", "insurance", "transactions"] as const
const ALLOWED: Record<string, ReadonlyArray<string>> = {
  income: ["income", "employment"], employment: ["employment"], assets: ["assets"], insurance: ["insurance"], transactions: ["transactions"]
}

describe("product.not-allowed", () => {
  const table = PRODUCTS.flatMap((orderType) => PRODUCTS.map((product) => [orderType, product, ALLOWED[orderType]!.includes(product)] as const))
  it.each(table)("a %s order refreshing %s: allowed %s", (orderType, product, allowed) => {
    const raw = input(lineage(undefined, { orderType }), [], { products: [product] })
    expect(findingsOf(productNotAllowed, raw, NOW)).toHaveLength(allowed ? 0 : 1)
    expect(decisionOf(raw, NOW).verdict).toBe(allowed ? "refresh" : "deny")
  })

  it("explains with the table", () => {
    const raw = input(lineage(undefined, { orderType: "employment" }), [], { products: ["income"] })
    expect(findingsOf(productNotAllowed, raw, NOW)).toEqual([{
      code: "product.not-allowed",
      effect: "deny",
      connectionId: null,
      message: "A employment order can refresh only employment; income was requested",
      data: { orderType: "employment", requested: ["income"], allowed: ["employment"] }
    }])
    const d = decisionOf(raw, NOW)
    expect([d.request, d.cost.billedVerifications, d.connections[0]!.verdict]).toEqual([null, 0, "deny"])
  })

  it("reads the table from the configuration", () => {
    const raw = input(lineage(undefined, { orderType: "employment" }), [], { products: ["income"] })
    expect(findingsOf(productNotAllowed, raw, NOW, { productsByOrderType: { employment: ["employment", "income"] } })).toEqual([])
  })
})
